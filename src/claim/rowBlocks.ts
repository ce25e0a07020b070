import * as tf from '@tensorflow/tfjs';
import { float64Array, giveBack, withArrayPool, type ArrayPool } from '../foundation/arrayPool';
import { maxAbs, maxAbsFinite } from '../foundation/tensor';
import { nodesOf, type Expr } from '../formula/ast';
import type { CheckedClaim } from '../formula/check';
import type { StepCache } from '../formula/contractTerm';
import { expandTo, FormulaEvaluator, readsDerivative } from '../formula/evaluate';
import { plainVariable } from '../formula/indexForms';
import type { Value64 } from '../reference/algebra64';
import type { GradientRows } from '../reference/chainRule64';
import { blockChecked, blockEnv, blockInvariantFactors, blockReadsOf, lossGradientRead } from '../reference/indexBlock64';
import { blockRows, blocksOfRows, eachRowBlockValues, LARGE_TENSOR, type ReferenceWorld } from '../reference/world64';
import { readRangeInto, readsInPlace } from '../tfjs/readInto';
import { tfjsWorld } from '../tfjs/worldTf';
import { BlockOutcome } from './blockOutcome';
import type { ClaimState, TrialOutcome } from './claimResult';
import { errorOutcome, type WorldOutcome } from './compare';
import type { TrialContext } from './judgeClaim';
import { memoryCheckpoint } from './memoryCheckpoint';
import type { Sides } from './sides';
import { summedEstimate } from './sidesOf';

// A claim `grad(E, P)[i, j, …] <rel> rhs` on a large parameter P, judged a block of P's rows at a
// time in both worlds: the reference's ∂E/∂P rows (world64.ts lossGradientRows) and its rhs on
// the same rows (src/reference/indexBlock64.ts), tfjs's sides read back a block at a time, each
// block judged (src/claim/blockOutcome.ts) and let go before the next. No array of P's size is
// held on the JS side: up to ROW_BLOCK elements a block, all blocks alike where a divisor of the
// rows allows (world64.ts blockRows): 56 rows of W1 at 784-512-10. The outcome,
// the deciding element and the vacuity self-test are the ones the whole sides give.
//
// It applies when the lhs reads P's indices plainly in the claim's own order (P's layout is the
// sides'), the claim has no `where`, the rhs can be evaluated on a block of the first index
// (indexBlock64.ts), every ∂E/∂S the rhs reads has no kink, and the reference has P's rows. The
// rhs may also read one grad(F, P) of a scalar formula F other than E the way the lhs reads P:
// the reference gives its rows a block at a time too (world64.ts formulaGradientRows). Else the
// claim is judged whole (judgeClaim.ts).

/** What the block path needs to know of a claim. */
export interface RowBlockPlan {
  symbol: string;
  rows: GradientRows;
  /** P's rows, and the elements of one */
  count: number;
  rowSize: number;
  /** the first index, and the axis at which the rhs reads each tensor at it */
  index: string;
  reads: Map<string, number>;
  /** the rhs's factors that do not read the first index: computed once, not for each block */
  invariant: Expr[];
  /** the rhs's derivative grad(F, P) of a formula F other than E, if it has one, and its rows */
  formula: { node: Expr; rows: GradientRows } | null;
}

/** The plan, or null where the block path does not apply (see the file's head). */
export function rowBlockPlan(checked: CheckedClaim, reference: ReferenceWorld, parameters: readonly string[]): RowBlockPlan | null {
  const lhs = checked.lhs;
  if (checked.where || lhs.kind !== 'index' || lhs.base.kind !== 'call' || lhs.base.name !== 'grad') return null;
  const [F, Q] = lhs.base.args;
  if (F.kind !== 'symbol' || F.name !== 'E' || Q.kind !== 'symbol' || !parameters.includes(Q.name)) return null;
  const p = reference.env.get(Q.name);
  if (!p || p.data.length <= LARGE_TENSOR || p.shape.length === 0) return null;
  const names = (checked.indexForms.get(lhs) ?? []).map(plainVariable);
  const free = checked.freeIndices.map((f) => f.name);
  if (names.length !== p.shape.length || names.length !== free.length || names.some((n, a) => n !== free[a])) return null;
  const index = free[0];
  // grad(F, P)[i, j, …] in the rhs, F a formula other than E read like the lhs: its rows come a
  // block at a time too (at most one such derivative)
  const formulaReads = nodesOf(checked.rhs).filter((n): n is Extract<Expr, { kind: 'index' }> => n.kind === 'index' && n.base.kind === 'call' && n.base.name === 'grad' && !lossGradientRead(n.base, checked));
  if (formulaReads.length > 1) return null;
  const [formulaRead] = formulaReads;
  const formulaNode = formulaRead && readsLikeLhs(formulaRead, checked, Q.name, free) ? formulaRead.base : null;
  const reads = blockReadsOf([checked.rhs], checked, index, new Set(formulaNode ? [formulaNode] : []));
  if (reads === null) return null;
  // the derivatives the rhs reads: a kink's elements would be judged in neither world, which the blocks do not carry
  for (const node of nodesOf(checked.rhs)) {
    if (node.kind !== 'call' || node.name !== 'grad' || node === formulaNode) continue;
    const S = node.args[1];
    const g = S.kind === 'symbol' ? reference.lossGradient?.(S.name) : null;
    if (!g || g.kink) return null;
  }
  const rows = reference.lossGradientRows(Q.name);
  if (rows === null) return null;
  let formula: RowBlockPlan['formula'] = null;
  if (formulaNode !== null && formulaNode.kind === 'call') {
    const formulaRows = reference.formulaGradientRows(Q.name, { body: formulaNode.args[0], checked });
    if (formulaRows === null) return null;
    formula = { node: formulaNode, rows: formulaRows };
  }
  return { symbol: Q.name, rows, count: p.shape[0], rowSize: p.data.length / p.shape[0], index, reads, invariant: blockInvariantFactors(checked.rhs, checked, index), formula };
}

/**
 * Whether `read` is grad(F, P)[v…] with the claim's free indices `free` plainly in P's order, and
 * F a scalar of no free index that reads no derivative: a block of P's rows is a block of it.
 */
function readsLikeLhs(read: Extract<Expr, { kind: 'index' }>, checked: CheckedClaim, symbol: string, free: readonly string[]): boolean {
  const call = read.base as Extract<Expr, { kind: 'call' }>;
  const [F, Q] = call.args;
  if (Q.kind !== 'symbol' || Q.name !== symbol || (checked.freeVars.get(F) ?? []).length > 0) return false;
  if (readsDerivative(F)) return false;
  const names = (checked.indexForms.get(read) ?? []).map(plainVariable);
  return names.length === free.length && names.every((n, a) => n === free[a]);
}

/** A copy of a value in arrays of its own (not the blocks' pool's, which the next block takes back). */
function keepValue(value: Value64): Value64 {
  return { shape: value.shape, data: Float64Array.from(value.data), ...(value.error ? { error: Float64Array.from(value.error) } : {}), ...(value.kink ? { kink: Uint8Array.from(value.kink) } : {}), ...(value.oneSided ? { oneSided: { forward: Float64Array.from(value.oneSided.forward), backward: Float64Array.from(value.oneSided.backward) } } : {}) };
}

/** Each block's rows [from, to) of P, in order. */
const blocksOf = (plan: RowBlockPlan) => blocksOfRows(plan.count, plan.rowSize);

/** The reference's sides, a block at a time, under the scale the whole sides are judged under. */
function referenceByBlocks(state: ClaimState, plan: RowBlockPlan, reference: ReferenceWorld, blocks: ArrayPool): BlockOutcome {
  const checked = state.checked!;
  const { rel, quantifier } = state.claim;
  const vars = checked.freeIndices.map((f) => f.name);
  const sizes = checked.freeIndices.map((f) => f.size);
  // the rhs's factors that read no row of P, computed once (from the trial's pool: they outlive the blocks)
  const whole = new FormulaEvaluator(checked, reference);
  const known = new Map(plan.invariant.map((factor) => [factor, whole.evaluate(factor)]));
  // and the steps of its sums of products that no row of P reaches, kept out of the blocks' pool
  const steps: StepCache<Value64> = { varying: new Set([plan.index]), results: new WeakMap(), keep: keepValue };
  // every array a block makes (its sides, the rhs's temporaries) is dead once it is judged: the
  // next block (and the next claim's) takes them from `blocks`
  const inBlock = <T>(run: () => T): T => {
    try {
      return withArrayPool(blocks, run);
    } finally {
      blocks.reclaim();
    }
  };
  // The scale: P's share of the gradient scale is max |∂E/∂P| over these very blocks, which a
  // pass of the world's own would compute once more before the first block could be judged. So,
  // where the world leaves that share to us, the blocks are judged under a guess, the scale with
  // the largest |∂E/∂P| of the block where tfjs's |∂E/∂P| is largest, and their own largest
  // settles it: no larger than the guess (nearly always), the guess was the scale and the
  // judgement stands; else they are judged again under the scale they give.
  const byRows = reference.scaleByRows(plan.symbol);
  if (byRows !== null) {
    const row = Math.floor(byRows.hint / plan.rowSize);
    const [from, to] = [...blocksOf(plan)].find(([, end]) => row < end)!;
    const guess = Math.max(byRows.others, inBlock(() => maxAbs(plan.rows(from, to, true).data)));
    const first = judgeBlocks(guess);
    if (!first.judged.stopped) byRows.settle(first.largest);
    if (!first.judged.stopped && first.largest <= guess) return first.judged;
  }
  return judgeBlocks(sidesScale()).judged;

  /** The whole sides' scale, max(largest finite |lhs|, the gradient scale), as the world takes it. */
  function sidesScale(): number {
    // the gradient scale holds P's own largest |∂E/∂P| when it was taken by these rows; when it
    // was sampled, or ∂E/∂P is held whole (its rows may then differ in the last bits from rows
    // computed by blocks), the lhs is read for it
    let scale = reference.gradientScale();
    if (plan.rows.held || reference.scaleSource() === 'sampled') eachRowBlockValues(plan.rows, plan.count, plan.rowSize, blocks, (values) => (scale = Math.max(scale, maxAbsFinite(values))));
    return scale;
  }

  /** Every block judged under `scale`, and the largest |lhs| of those judged. */
  function judgeBlocks(scale: number): { judged: BlockOutcome; largest: number } {
    const judged = new BlockOutcome(rel, quantifier, state.tolerance.reference);
    let largest = 0;
    for (const [from, to] of blocksOf(plan)) {
      if (judged.stopped) break;
      inBlock(() => (largest = Math.max(largest, judgeBlock(judged, scale, from, to))));
    }
    return { judged, largest };
  }

  /** One block judged into `judged`; its largest |lhs| (maxAbs, as the gradient scale takes it). */
  function judgeBlock(judged: BlockOutcome, scale: number, from: number, to: number): number {
    const lhs = plan.rows(from, to);
    const scope = blockEnv(reference.env, plan.reads, plan.count, from, to);
    if (scope === null) throw new Error(`the rhs reads a tensor at ${plan.index} whose extent is not ${plan.symbol}'s ${plan.count} rows`);
    // the trial's own values on the block's rows: its ∂E/∂S are the ones grad(E, S) reads
    // grad(F, P) of a formula F: its rows of the block, where the whole derivative would be taken
    const formula = plan.formula;
    const gradient: ReferenceWorld['gradient'] = formula
      ? (symbol, outputs) => {
          // the plan lets no other derivative but grad(E, S) into a block's rhs, and those are the world's own ∂E/∂S
          if (symbol !== plan.symbol || outputs !== 1) throw new Error(`a derivative by ${symbol} in a block of ${plan.symbol}'s rows`);
          const block = formula.rows(from, to);
          return { ...block, shape: [1, ...block.shape] };
        }
      : reference.gradient;
    const evaluator = new FormulaEvaluator(blockChecked(checked, plan.index, to - from), { ...reference, env: scope, gradient }, {}, { known, steps });
    const rhs = expandTo(reference.algebra, evaluator.evaluate(checked.rhs), vars, [to - from, ...sizes.slice(1)]);
    if (lhs.kink || rhs.kink) throw new Error(`a derivative at a kink in ${plan.symbol}'s rows ${from}–${to - 1}`);
    const error = summedEstimate(lhs.error ?? null, rhs.error ?? null);
    const sides: Sides = { vars, sizes, offset: from * plan.rowSize, lhs: lhs.data, rhs: rhs.data, error, mask: null, scale };
    judged.add(sides, judged.mayHold);
    return maxAbs(lhs.data);
  }
}

/** tfjs's sides, computed whole on the backend and read back a block at a time. */
function tfjsByBlocks(state: ClaimState, plan: RowBlockPlan, t: TrialContext): BlockOutcome {
  const checked = state.checked!;
  const { rel, quantifier } = state.claim;
  const judged = new BlockOutcome(rel, quantifier, state.tolerance.tfjs);
  const vars = checked.freeIndices.map((f) => f.name);
  const sizes = checked.freeIndices.map((f) => f.size);
  tf.tidy(() => {
    const world = tfjsWorld(t.tfTrial);
    const evaluator = new FormulaEvaluator(checked, world);
    const side = (node: typeof checked.lhs) => {
      const value = expandTo(world.algebra, evaluator.evaluate(node), vars, sizes);
      return value.dtype === 'float32' ? value : tf.cast(value, 'float32');
    };
    const lhs = side(checked.lhs);
    const rhs = side(checked.rhs);
    const scale = world.gradientScale();
    // where the backend's own storage cannot be read a range at a time (tfjs-node, webgl), each
    // side is read back once and its blocks are views
    const whole = readsInPlace() ? null : { lhs: lhs.dataSync() as Float32Array, rhs: rhs.dataSync() as Float32Array };
    // one array for both sides of a block, as the whole sides are read (src/tfjs/readSides.ts)
    const length = blockRows(plan.count, plan.rowSize) * plan.rowSize;
    const pair = whole !== null ? null : float64Array(length);
    try {
      for (const [from, to] of blocksOf(plan)) {
        if (judged.stopped) break;
        const n = (to - from) * plan.rowSize;
        const offset = from * plan.rowSize;
        const l = whole ? whole.lhs.subarray(offset, offset + n) : readRangeInto(lhs, offset, new Float32Array(pair!.buffer, 0, n));
        const r = whole ? whole.rhs.subarray(offset, offset + n) : readRangeInto(rhs, offset, new Float32Array(pair!.buffer, 4 * length, n));
        judged.add({ vars, sizes, offset, lhs: l, rhs: r, error: null, mask: null, scale }, judged.mayHold);
      }
    } finally {
      giveBack(pair);
    }
  });
  return judged;
}

/** One world's outcome and self-test, an error in it kept as its outcome. */
function guardedBlocks(run: () => BlockOutcome): { outcome: WorldOutcome; flip: ReturnType<BlockOutcome['flipOutcome']> | null } {
  try {
    const judged = run();
    return { outcome: judged.outcome(), flip: judged.flipOutcome() };
  } catch (e) {
    return { outcome: errorOutcome(e), flip: null };
  }
}

/** One claim in one trial by blocks of P's rows (see the file's head). */
export function judgeByRowBlocks(state: ClaimState, t: TrialContext, plan: RowBlockPlan): TrialOutcome {
  let t0 = performance.now();
  const ref = guardedBlocks(() => referenceByBlocks(state, plan, t.reference, t.blocks));
  state.elapsed.reference += performance.now() - t0;
  memoryCheckpoint('reference sides');
  t0 = performance.now();
  const tfj = guardedBlocks(() => tfjsByBlocks(state, plan, t));
  state.elapsed.tfjs += performance.now() - t0;
  memoryCheckpoint('tfjs sides');
  if (t.reference.scaleSource() === 'sampled') state.scaleSampled = true;
  const holds = ref.outcome.outcome === 'holds' && tfj.outcome.outcome === 'holds';
  return {
    trial: t.trial,
    seed: t.seed,
    reference: ref.outcome,
    tfjs: tfj.outcome,
    flips: holds && ref.flip && tfj.flip ? { reference: ref.flip, tfjs: tfj.flip } : null,
    sides: null,
  };
}
