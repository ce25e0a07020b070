import { activePool } from '../foundation/arrayPool';
import { maxAbsFinite } from '../foundation/tensor';
import type { World } from '../formula/algebra';
import { childrenOf, type Expr } from '../formula/ast';
import type { CheckedClaim } from '../formula/check';
import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import type { Optimizer } from '../scenario/schema';
import type { SideValues, Sides } from './sides';
import { onTheStep, stepOf } from './stepSides';

/** Which part of a claim a Reader reads; `start`: the parameter P a next(P) claim's step starts from. */
export type Side = 'lhs' | 'rhs' | 'where' | 'start';

/** Reads a world's tensor (one side of a claim) as numbers (float64, or tfjs's own float32) and its error bound, if it carries one. */
export type Reader<T> = (t: T, side: Side) => {
  data: SideValues;
  error: Float64Array | null;
  /** the reference's kink flags and one-sided alternatives (src/reference/kinks.ts), if any */
  kink?: Uint8Array;
  oneSided?: { forward: SideValues; backward: SideValues };
};

export function usesDerivatives(node: Expr): boolean {
  return (node.kind === 'call' && (node.name === 'grad' || node.name === 'next')) || childrenOf(node).some(usesDerivatives);
}

function maxAbsSelected(values: SideValues, mask: Uint8Array | null): number {
  if (!mask) return maxAbsFinite(values);
  let m = 0;
  for (let i = 0; i < values.length; i++) if (mask[i] && Number.isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** Whether the optimizer's step is about lr whatever the gradient (RMSProp, Adam: the gradient divided by its own running size). */
const adaptive = (optimizer: Pick<Optimizer, 'type'>): boolean => optimizer.type === 'rmsprop' || optimizer.type === 'adam';

/**
 * Evaluates lhs, rhs and where of a checked claim in one world and lays them out over the
 * claim's free indices. `gradientScale` is asked for only when the claim takes derivatives. A
 * claim whose lhs is next(P)[…] is laid out on the step (src/claim/stepSides.ts): both sides
 * minus P, the scale the largest step or lr times the gradient scale (lr for an adaptive rule),
 * and the rounding of P as a floor; `optimizer` is the scenario's.
 */
export function sidesOf<T>(claim: CheckedClaim, world: World<T>, read: Reader<T>, gradientScale: () => number, optimizer?: Pick<Optimizer, 'type' | 'learningRate' | 'steps'>): Sides {
  const evaluator = new FormulaEvaluator(claim, world);
  const vars = claim.freeIndices.map((f) => f.name);
  const sizes = claim.freeIndices.map((f) => f.size);
  const layWith = (e: FormulaEvaluator<T>, node: Expr, side: Side) => read(expandTo(world.algebra, e.evaluate(node), vars, sizes), side);
  const lay = (node: Expr, side: Side) => layWith(evaluator, node, side);
  const stepped = stepOf(claim.lhs);
  let lhs = lay(claim.lhs, 'lhs');
  let rhs = lay(claim.rhs, 'rhs');
  let floor: Float64Array | null = null;
  if (stepped !== null && optimizer) {
    // P laid out as the lhs is: the lhs itself with next(P) read as P
    const p = layWith(new FormulaEvaluator(claim, { ...world, next: (symbol: string) => world.env.get(symbol)! }), claim.lhs, 'start');
    ({ lhs, rhs, floor } = onTheStep(lhs, rhs, p.data, world.name === 'tfjs' ? 'float32' : 'float64', optimizer));
  }
  const mask = claim.where ? Uint8Array.from(lay(claim.where, 'where').data, (v) => (v !== 0 ? 1 : 0)) : null;
  const error = summedEstimate(lhs.error, rhs.error);
  // The lhs is the quantity under test: a large rhs must not loosen every element's allowance
  // (that would let `o <= 0.01 + 1e9·delta(n,k)` hold); the rhs enters per element through rtol.
  let scale = maxAbsSelected(lhs.data, mask);
  // a step is lr times a gradient: its scale is lr times theirs; an adaptive rule's (RMSProp,
  // Adam) is about lr whatever the gradient, so lr·gradient scale would loosen it without bound
  if (floor !== null) scale = Math.max(scale, optimizer!.learningRate * (adaptive(optimizer!) ? 1 : gradientScale()));
  else if (usesDerivatives(claim.lhs) || usesDerivatives(claim.rhs)) scale = Math.max(scale, gradientScale());
  return { vars, sizes, lhs: lhs.data, rhs: rhs.data, error, mask, scale, ...kinksOf(lhs, rhs), ...(floor !== null ? { floor } : {}) };
}

/**
 * Both sides' error estimates as one: one side's as it is (only read), both summed into the rhs's
 * own when it is this claim's (the trial's pool issued it: nothing else holds it), else into a
 * new array.
 */
export function summedEstimate(lhs: Float64Array | null, rhs: Float64Array | null): Float64Array | null {
  if (!lhs || !rhs) return lhs ?? rhs ?? null;
  const error = activePool()?.owns(rhs) ? rhs : new Float64Array(lhs.length);
  for (let i = 0; i < error.length; i++) error[i] = lhs[i] + rhs[i];
  return error;
}

/** The union of both sides' kink flags and each side's one-sided values; nothing when neither has a kink. */
export function kinksOf(lhs: ReturnType<Reader<unknown>>, rhs: ReturnType<Reader<unknown>>): Pick<Sides, 'kink' | 'oneSided'> {
  if (!lhs.kink && !rhs.kink) return {};
  const kink = new Uint8Array(lhs.data.length);
  for (let i = 0; i < kink.length; i++) kink[i] = (lhs.kink?.[i] ?? 0) | (rhs.kink?.[i] ?? 0);
  const side = (s: 'forward' | 'backward') => ({ lhs: lhs.oneSided?.[s] ?? lhs.data, rhs: rhs.oneSided?.[s] ?? rhs.data });
  return { kink, oneSided: { forward: side('forward'), backward: side('backward') } };
}
