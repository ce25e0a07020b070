import * as tf from '@tensorflow/tfjs';
import { activePool, giveBack, type ArrayPool } from '../foundation/arrayPool';
import type { Value64 } from '../reference/algebra64';
import type { ReferenceWorld } from '../reference/world64';
import { computationOf } from '../scenario/computationOf';
import type { Optimizer } from '../scenario/schema';
import { sideReader } from '../tfjs/readSides';
import { tfjsWorld, type TfTrial } from '../tfjs/worldTf';
import type { TrialOutcome, ClaimState } from './claimResult';
import { compareSides, errorOutcome, flipOutcome, type WorldOutcome } from './compare';
import { memoryCheckpoint } from './memoryCheckpoint';
import { judgeByRowBlocks, rowBlockPlan, type RowBlockPlan } from './rowBlocks';
import { HINTED_ELEMENTS, largeGradientLhs, sampledGradientCheck, type LargeGradientLhs } from './sampledGradientCheck';
import { worstElements } from './scaleHints';
import { elementCount, type Sides } from './sides';
import { sidesOf } from './sidesOf';

// One claim in one trial, in both worlds, self-tested if it holds.

/** What one trial holds for its claims: both worlds, and whether sides are kept (explain). */
export interface TrialContext {
  tfTrial: TfTrial;
  reference: ReferenceWorld;
  trial: number;
  seed: number;
  keep: boolean;
  /** the trial's pool for claims judged by blocks of rows, each block taking the one before's arrays (rowBlocks.ts) */
  blocks: ArrayPool;
}

type Judged = { outcome: WorldOutcome; sides: Sides | null };

/** Errors inside one world's evaluation become an outcome, not a crash. */
function guarded(run: () => Sides, compare: (s: Sides) => WorldOutcome): Judged {
  try {
    const sides = run();
    return { outcome: compare(sides), sides };
  } catch (e) {
    return { outcome: errorOutcome(e), sides: null };
  }
}

const read64 = (t: Value64) => ({ data: t.data, error: t.error ?? null, ...(t.kink ? { kink: t.kink, oneSided: t.oneSided } : {}) });

/**
 * The claim in the reference world: element by element, or, for a gradient too large for that
 * (`plan`; an Error: finding that out failed), by the sampled check (`hinted`: the elements tfjs
 * found worst; then seeded elements, directions).
 */
function referenceSides(state: ClaimState, reference: ReferenceWorld, seed: number, plan: LargeGradientLhs | Error | null, hinted: readonly number[], optimizer: Optimizer | undefined): Judged {
  const checked = state.checked!;
  const { rel, quantifier } = state.claim;
  const tolerance = state.tolerance.reference;
  try {
    if (plan instanceof Error) throw plan;
    if (plan) {
      const run = sampledGradientCheck(checked, plan, reference, { rel, tolerance, trialSeed: seed, claimId: state.claim.id, hinted });
      state.coverage = state.coverage && state.coverage.checked <= run.coverage.checked ? state.coverage : run.coverage;
      return { outcome: run.outcome, sides: run.sides };
    }
  } catch (e) {
    return { outcome: errorOutcome(e), sides: null };
  }
  return guarded(
    () => sidesOf(checked, reference, read64, () => reference.gradientScale(), optimizer),
    (s) => compareSides(s, rel, quantifier, tolerance),
  );
}

/**
 * The claim in the tfjs world. At scale (a pool given) its sides are read back into one array of
 * the trial's pool (src/tfjs/readSides.ts), which `release` gives back once they are done with.
 */
function tfjsSides(state: ClaimState, t: TrialContext, pool: ArrayPool | null): Judged & { release: () => void } {
  const checked = state.checked!;
  const { rel, quantifier } = state.claim;
  const reader = sideReader(pool);
  let judged!: Judged;
  tf.tidy(() => {
    const world = tfjsWorld(t.tfTrial);
    judged = guarded(() => sidesOf(checked, world, reader.read, () => world.gradientScale(), computationOf(t.tfTrial.scenario).optimizer), (s) => compareSides(s, rel, quantifier, state.tolerance.tfjs));
  });
  return { ...judged, release: reader.release };
}

/** The tfjs world does not judge the elements where the reference found a kink either. */
function withoutKinks(tfj: Judged, reference: Sides | null, state: ClaimState): Judged {
  if (!tfj.sides || tfj.sides.at || !reference?.kink || !reference.kink.includes(1)) return tfj;
  let kink = reference.kink;
  if (reference.at) {
    // sparse reference sides (the sampled check): its kinks at their flat positions
    if (elementCount(reference) !== tfj.sides.lhs.length) return tfj;
    kink = new Uint8Array(tfj.sides.lhs.length);
    for (let k = 0; k < reference.at.length; k++) kink[reference.at[k]] = reference.kink[k];
  } else if (kink.length !== tfj.sides.lhs.length) return tfj;
  const sides: Sides = { ...tfj.sides, kink, oneSided: null };
  return { outcome: compareSides(sides, state.claim.rel, state.claim.quantifier, state.tolerance.tfjs), sides };
}

/**
 * One claim in one trial, in both worlds, self-tested if it holds. A function of its own so that
 * its sides (at scale, arrays of the network's size) are let go when it returns, unless kept.
 * A gradient claim on a large parameter is judged by blocks of the parameter's rows where it can
 * (rowBlocks.ts). Else, at scale, the tfjs world is done with (judged, self-tested, where it is
 * worst noted) before the reference starts, and its sides go back to the trial's pool for the
 * reference's arrays; they are read again only if the reference finds a kink.
 */
export function judgeInTrial(state: ClaimState, t: TrialContext): TrialOutcome {
  const checked = state.checked!;
  const { rel, quantifier } = state.claim;
  // a gradient claim on a large parameter, by blocks of its rows where it can (rowBlocks.ts)
  let t0 = performance.now();
  let blocks: RowBlockPlan | null = null;
  try {
    blocks = t.keep ? null : rowBlockPlan(checked, t.reference, computationOf(t.tfTrial.scenario).parameters);
  } catch {
    blocks = null; // the reference world's error: the whole path reports it
  }
  state.elapsed.reference += performance.now() - t0;
  if (blocks) return judgeByRowBlocks(state, t, blocks);
  // whether the reference samples the lhs (it may take ∂E/∂P in full to find out: its time)
  t0 = performance.now();
  let plan: LargeGradientLhs | Error | null;
  try {
    plan = largeGradientLhs(checked, t.reference, quantifier);
  } catch (e) {
    plan = e as Error; // the reference world's error
  }
  state.elapsed.reference += performance.now() - t0;
  // tfjs first: where it finds the claim worst is where the reference looks when it samples
  t0 = performance.now();
  const first = tfjsSides(state, t, t.keep ? null : activePool());
  let tfj: Judged = { outcome: first.outcome, sides: first.sides };
  const hinted = plan && !(plan instanceof Error) && tfj.sides ? worstElements(tfj.sides, rel, state.tolerance.tfjs, HINTED_ELEMENTS) : [];
  let tfjsFlip = tfj.outcome.outcome === 'holds' && tfj.sides ? flipOutcome(tfj.sides, rel, quantifier, state.tolerance.tfjs) : null;
  if (!t.keep) {
    first.release();
    tfj = { outcome: tfj.outcome, sides: null };
  }
  state.elapsed.tfjs += performance.now() - t0;
  memoryCheckpoint('tfjs sides');
  t0 = performance.now();
  const ref = referenceSides(state, t.reference, t.seed, plan, hinted, computationOf(t.tfTrial.scenario).optimizer);
  state.elapsed.reference += performance.now() - t0;
  memoryCheckpoint('reference sides');
  if (ref.sides?.kink?.includes(1) && first.sides !== null) {
    // the tfjs world does not judge the elements where the reference found a kink either; its
    // sides, if given back, are read again (into the pool: the reference is done with its arrays)
    t0 = performance.now();
    const again = tfj.sides ? null : tfjsSides(state, t, activePool());
    const sides = tfj.sides ?? again!.sides;
    const rejudged = withoutKinks({ outcome: tfj.outcome, sides }, ref.sides, state);
    if (rejudged.sides !== sides) tfjsFlip = rejudged.outcome.outcome === 'holds' && rejudged.sides ? flipOutcome(rejudged.sides, rel, quantifier, state.tolerance.tfjs) : null;
    again?.release();
    tfj = t.keep ? rejudged : { outcome: rejudged.outcome, sides: null };
    state.elapsed.tfjs += performance.now() - t0;
  }
  if (t.reference.scaleSource() === 'sampled') state.scaleSampled = true;
  const holds = ref.outcome.outcome === 'holds' && tfj.outcome.outcome === 'holds';
  // the self-test (DESIGN §3): the rhs moved past the relation must refute in both worlds
  const flips = holds && ref.sides && tfjsFlip !== null ? { reference: flipOutcome(ref.sides, rel, quantifier, state.tolerance.reference), tfjs: tfjsFlip } : null;
  // the reference sides' arrays from the trial's pool (its rhs, at scale) go back for the next claim
  if (!t.keep && ref.sides) giveBack(ref.sides.lhs, ref.sides.rhs, ref.sides.error);
  return {
    trial: t.trial,
    seed: t.seed,
    reference: ref.outcome,
    tfjs: tfj.outcome,
    flips,
    sides: t.keep && ref.sides && tfj.sides ? { reference: ref.sides, tfjs: tfj.sides } : null,
  };
}
