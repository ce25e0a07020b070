import * as tf from '@tensorflow/tfjs';
import { checkClaim, type CheckedClaim } from '../formula/check';
import { renderFormulaError } from '../formula/formulaError';
import type { Value64 } from '../reference/algebra64';
import { activePool, ArrayPool, POOLED_LENGTH, withArrayPool } from '../reference/arrayPool';
import { referenceWorld, type ReferenceWorld } from '../reference/world64';
import type { Claim, Scenario } from '../scenario/schema';
import { drawTrial } from '../scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../tfjs/networkTf';
import { readInto } from '../tfjs/readInto';
import { tfjsTrial, tfjsWorld } from '../tfjs/worldTf';
import { compareSides, flipOutcome, type ElementReport, type ImpreciseReport, type KinkReport, type Outcome, type WorldOutcome } from './compare';
import { elementCount, type Sides } from './sides';
import { memoryCheckpoint } from './memoryCheckpoint';
import { HINTED_ELEMENTS, largeGradientLhs, sampledGradientCheck, type Coverage, type LargeGradientLhs } from './sampledGradientCheck';
import { largestGradientElements, worstElements } from './scaleHints';
import { sidesOf, usesDerivatives, type Side } from './sidesOf';
import { symbolTableOf } from './symbolTable';
import { DEFAULT_TOLERANCE, type Tolerance, type WorldName } from './tolerances';
import { verdictOf, type ClaimVerdict } from './verdict';

export interface RunOptions {
  /** overrides the scenario's trials / seed */
  trials?: number;
  seed?: number;
  /** only these claim ids */
  claimIds?: readonly string[];
  /** keep every trial's sides (for `explain`) */
  keepSides?: boolean;
  /** called after each trial (progress) */
  onTrial?: (trial: number, trials: number) => void;
}

export interface WorstElement extends ElementReport {
  trial: number;
  seed: number;
  /**
   * what was checked: one element (the default when absent), or, in the reference world for a
   * gradient too large to differentiate element by element, a seeded random direction
   * (lhs = directional derivative, rhs = ⟨v, rhs⟩, index empty, flat −1)
   */
  check?: 'element' | 'direction';
  /** which seeded direction, for check = 'direction' */
  direction?: number;
}

export interface WorldSummary {
  /** holds in every trial, refuted in some, or could not be judged */
  outcome: 'holds' | 'refuted' | 'error';
  message?: string;
  tolerance: Tolerance;
  /** the deciding element of the worst trial */
  worst: WorstElement | null;
  trialsRefuted: number;
  elapsedMs: number;
  /**
   * Present when the reference world checked a large gradient by sampling (README "Verification
   * at scale"): the fewest elements it differentiated one by one in a trial, out of how many
   * selected, and the directional checks per trial.
   */
  coverage?: Coverage;
  /** how the reference's gradient scale was obtained, when not from every element */
  scaleSource?: 'sampled';
  /**
   * Selected elements left unjudged because the reference took a derivative at a kink there
   * (one-sided derivatives differ: src/reference/kinks.ts), summed over trials, and the first one.
   * Absent when there were none.
   */
  kinks?: { count: number; trial: number; seed: number; first: KinkReport };
  /**
   * Selected elements left unjudged because the reference's error estimate would decide them
   * (src/claim/compare.ts, ESTIMATE_SHARE), summed over trials, and the one whose estimate is
   * largest next to its tolerance in the first such trial. Absent when there were none.
   */
  imprecise?: { count: number; trial: number; seed: number; first: ImpreciseReport };
}

export interface ClaimResult {
  id: string;
  says: string;
  expect: Claim['expect'];
  verdict: ClaimVerdict;
  met: boolean;
  /** why the verdict is error or vacuous */
  message?: string;
  note?: string;
  /** free index names, for reading element indices */
  indices: string[];
  /** whether moving the rhs past the relation flipped the verdict (claims that hold only) */
  vacuity?: { flipped: boolean; reference: string; tfjs: string };
  trials: number;
  worlds: Record<WorldName, WorldSummary>;
  /** per trial sides, when RunOptions.keepSides */
  sides?: { trial: number; seed: number; reference: Sides; tfjs: Sides }[];
}

interface ClaimState {
  claim: Claim;
  checked: CheckedClaim | null;
  problem?: string;
  tolerance: Record<WorldName, Tolerance>;
  outcomes: {
    trial: number;
    seed: number;
    reference: WorldOutcome;
    tfjs: WorldOutcome;
    /** the vacuity self-test of this trial (taken when both worlds hold in it) */
    flips: Record<WorldName, Outcome> | null;
    /** kept only for RunOptions.keepSides: at scale each trial's dense sides are arrays of the network's size */
    sides: Record<WorldName, Sides> | null;
  }[];
  elapsed: Record<WorldName, number>;
  coverage?: Coverage;
  scaleSampled?: boolean;
}

function toleranceFor(claim: Claim): Record<WorldName, Tolerance> {
  const given = claim.tolerance ?? {};
  return {
    reference: { ...DEFAULT_TOLERANCE.reference, ...given },
    tfjs: { ...DEFAULT_TOLERANCE.tfjs, ...given },
  };
}

/** Errors inside one world's evaluation become an outcome, not a crash. */
function guarded(run: () => Sides, compare: (s: Sides) => WorldOutcome): { outcome: WorldOutcome; sides: Sides | null } {
  try {
    const sides = run();
    return { outcome: compare(sides), sides };
  } catch (e) {
    return { outcome: { outcome: 'error', message: (e as Error).message, worst: null, selected: 0, failing: 0 }, sides: null };
  }
}

const read64 = (t: Value64) => ({ data: t.data, error: t.error ?? null, ...(t.kink ? { kink: t.kink, oneSided: t.oneSided } : {}) });
// float32 tensors are kept as read back (the same numbers as a float64 copy, half the memory)
const readTf = (t: tf.Tensor) => {
  const data = t.dataSync();
  return { data: data instanceof Float32Array ? data : Float64Array.from(data), error: null };
};

function worstOf(state: ClaimState, world: WorldName): WorstElement | null {
  let worst: WorstElement | null = null;
  for (const o of state.outcomes) {
    const w = o[world].worst;
    if (w && (worst === null || w.excess > worst.excess)) worst = { ...w, trial: o.trial, seed: o.seed };
  }
  return worst;
}

function summarise(state: ClaimState, world: WorldName): WorldSummary {
  const errors = state.outcomes.filter((o) => o[world].outcome === 'error');
  const refuted = state.outcomes.filter((o) => o[world].outcome === 'refuted').length;
  const outcome = errors.length > 0 ? 'error' : refuted > 0 ? 'refuted' : 'holds';
  const message = errors.length > 0 ? `trial ${errors[0].trial} (seed ${errors[0].seed}): ${errors[0][world].message}` : undefined;
  const extra = world === 'reference' ? { ...(state.coverage ? { coverage: state.coverage } : {}), ...(state.scaleSampled ? { scaleSource: 'sampled' as const } : {}) } : {};
  const kinks = unjudgedOf(state, world, 'kinks');
  const imprecise = unjudgedOf(state, world, 'imprecise');
  return { outcome, ...(message ? { message } : {}), tolerance: state.tolerance[world], worst: worstOf(state, world), trialsRefuted: refuted, elapsedMs: state.elapsed[world], ...extra, ...(kinks ? { kinks } : {}), ...(imprecise ? { imprecise } : {}) };
}

/** Elements a world left unjudged (at a kink, or decided by the estimate): summed over trials, with the first trial's report. */
function unjudgedOf<K extends 'kinks' | 'imprecise'>(state: ClaimState, world: WorldName, kind: K): { count: number; trial: number; seed: number; first: NonNullable<WorldOutcome[K]> } | undefined {
  let total: { count: number; trial: number; seed: number; first: NonNullable<WorldOutcome[K]> } | undefined;
  for (const o of state.outcomes) {
    const found = o[world][kind];
    if (found) total = total ? { ...total, count: total.count + found.count } : { count: found.count, trial: o.trial, seed: o.seed, first: found as NonNullable<WorldOutcome[K]> };
  }
  return total;
}

/** The tfjs world does not judge the elements where the reference found a kink either. */
function withoutKinks(tfj: { outcome: WorldOutcome; sides: Sides | null }, reference: Sides | null, state: ClaimState): { outcome: WorldOutcome; sides: Sides | null } {
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

/** Every trial's self-test: a world flips when some trial's moved rhs refutes there. */
function vacuity(state: ClaimState): { flipped: boolean; reference: string; tfjs: string } {
  const flipsIn = (world: WorldName): string => {
    const outcomes = state.outcomes.map((o) => o.flips?.[world] ?? 'error');
    return outcomes.includes('refuted') ? 'refuted' : outcomes.includes('error') ? 'error' : 'holds';
  };
  const reference = flipsIn('reference');
  const tfjs = flipsIn('tfjs');
  return { flipped: reference === 'refuted' && tfjs === 'refuted', reference, tfjs };
}

function finish(state: ClaimState, trials: number, keepSides: boolean): ClaimResult {
  const { claim } = state;
  const base = { id: claim.id, says: claim.says, expect: claim.expect, ...(claim.note ? { note: claim.note } : {}), indices: state.checked?.freeIndices.map((f) => f.name) ?? [], trials };
  const worlds = { reference: summarise(state, 'reference'), tfjs: summarise(state, 'tfjs') };
  if (state.problem !== undefined) return { ...base, verdict: 'error', met: false, message: state.problem, worlds };
  let verdict = verdictOf(state.outcomes.map((o) => ({ reference: o.reference.outcome, tfjs: o.tfjs.outcome })));
  let message: string | undefined;
  let check: ClaimResult['vacuity'];
  if (verdict === 'error') {
    message = worlds.reference.message ? `reference world: ${worlds.reference.message}` : `tfjs world: ${worlds.tfjs.message}`;
  } else if (verdict === 'holds') {
    check = vacuity(state);
    if (!check.flipped) {
      verdict = 'vacuous';
      message = `moving the rhs past the tolerance did not refute the claim (reference: ${check.reference}, tfjs: ${check.tfjs})`;
    }
  }
  // trials where a world could not evaluate the claim (verdict error) have no sides to keep
  const sides = keepSides ? state.outcomes.flatMap((o) => (o.sides ? [{ trial: o.trial, seed: o.seed, reference: o.sides.reference, tfjs: o.sides.tfjs }] : [])) : undefined;
  return { ...base, verdict, met: verdict === claim.expect, ...(message ? { message } : {}), ...(check ? { vacuity: check } : {}), worlds, ...(sides ? { sides } : {}) };
}

/**
 * One claim in the reference world of one trial: element by element, or, for a gradient too
 * large for that (`plan`; an Error: finding that out failed), by the sampled check (`hinted`:
 * the elements tfjs found worst; then seeded elements, directions).
 */
function referenceSides(state: ClaimState, reference: ReferenceWorld, seed: number, plan: LargeGradientLhs | Error | null, hinted: readonly number[]): { outcome: WorldOutcome; sides: Sides | null } {
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
    return { outcome: { outcome: 'error', message: (e as Error).message, worst: null, selected: 0, failing: 0 }, sides: null };
  }
  return guarded(
    () => sidesOf(checked, reference, read64, () => reference.gradientScale()),
    (s) => compareSides(s, rel, quantifier, tolerance),
  );
}

/**
 * One claim in the tfjs world of one trial. At scale (a pool given) its lhs and rhs are read
 * back into one array of the trial's pool, which `release` gives back once they are done with.
 */
function tfjsSides(state: ClaimState, t: TrialContext, pool: ArrayPool | null): { outcome: WorldOutcome; sides: Sides | null; release: () => void } {
  const checked = state.checked!;
  const { rel, quantifier } = state.claim;
  // lhs in the first half, rhs in the second: as many bytes as one float64 array of the sides
  let pair: Float64Array | null = null;
  const read = (tensor: tf.Tensor, side: Side) => {
    if (pool !== null && side !== 'where' && tensor.dtype === 'float32' && tensor.size >= POOLED_LENGTH) {
      pair ??= pool.float64(tensor.size);
      if (pair.length === tensor.size) return { data: readInto(tensor, new Float32Array(pair.buffer, side === 'lhs' ? 0 : 4 * tensor.size, tensor.size)), error: null };
    }
    return readTf(tensor);
  };
  let judged!: ReturnType<typeof guarded>;
  tf.tidy(() => {
    const world = tfjsWorld(t.scenario, t.inputs, t.tfTrial);
    judged = guarded(() => sidesOf(checked, world, read, () => world.gradientScale()), (s) => compareSides(s, rel, quantifier, state.tolerance.tfjs));
  });
  const release = () => {
    if (pair !== null && pool !== null) pool.give(pair);
    pair = null;
  };
  return { ...judged, release };
}

/** What one trial holds for its claims: the inputs, both worlds, and whether sides are kept. */
interface TrialContext {
  scenario: Scenario;
  inputs: ReturnType<typeof trialTensors>;
  tfTrial: ReturnType<typeof tfjsTrial>;
  reference: ReferenceWorld;
  trial: number;
  seed: number;
  keep: boolean;
}

/**
 * One claim in one trial, in both worlds, self-tested if it holds. A function of its own so that
 * its sides (at scale, arrays of the network's size) are let go when it returns, unless kept.
 * At scale the tfjs world is done with (judged, self-tested, where it is worst noted) before the
 * reference starts, and its sides go back to the trial's pool for the reference's arrays; they
 * are read again only if the reference finds a kink.
 */
function judgeInTrial(state: ClaimState, t: TrialContext): ClaimState['outcomes'][number] {
  const checked = state.checked!;
  const { rel, quantifier } = state.claim;
  // tfjs first: where it finds the claim worst is where the reference looks at scale
  let t0 = performance.now();
  let plan: LargeGradientLhs | Error | null;
  try {
    plan = largeGradientLhs(checked, t.reference, quantifier);
  } catch (e) {
    plan = e as Error; // the reference world's error
  }
  const first = tfjsSides(state, t, t.keep ? null : activePool());
  let tfj: { outcome: WorldOutcome; sides: Sides | null } = { outcome: first.outcome, sides: first.sides };
  const hinted = plan && !(plan instanceof Error) && tfj.sides ? worstElements(tfj.sides, rel, state.tolerance.tfjs, HINTED_ELEMENTS) : [];
  let tfjsFlip = tfj.outcome.outcome === 'holds' && tfj.sides ? flipOutcome(tfj.sides, rel, quantifier, state.tolerance.tfjs) : null;
  if (!t.keep) {
    first.release();
    tfj = { outcome: tfj.outcome, sides: null };
  }
  state.elapsed.tfjs += performance.now() - t0;
  memoryCheckpoint('tfjs sides');
  t0 = performance.now();
  const ref = referenceSides(state, t.reference, t.seed, plan, hinted);
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
  return {
    trial: t.trial,
    seed: t.seed,
    reference: ref.outcome,
    tfjs: tfj.outcome,
    // the self-test (DESIGN §3): the rhs moved past the relation must refute in both worlds
    flips: holds && ref.sides && tfjsFlip !== null ? { reference: flipOutcome(ref.sides, rel, quantifier, state.tolerance.reference), tfjs: tfjsFlip } : null,
    sides: t.keep && ref.sides && tfj.sides ? { reference: ref.sides, tfjs: tfj.sides } : null,
  };
}

const derivatives = (c: CheckedClaim): boolean => usesDerivatives(c.lhs) || usesDerivatives(c.rhs) || (c.where ? usesDerivatives(c.where) : false);

/**
 * One trial: its values drawn, each world built once, every claim judged in it. A function of its
 * own so that the trial's values are let go before the next trial draws its own.
 */
function runTrial(scenario: Scenario, live: ClaimState[], trial: number, seedOverride: number | undefined, keep: boolean): void {
  const values = drawTrial(scenario, trial, seedOverride);
  const inputs = trialTensors(values);
  memoryCheckpoint('trial drawn');
  // the tfjs forward pass and ∂E/∂P of this trial, once, for every claim (and the scale hints)
  let tfTrial: ReturnType<typeof tfjsTrial> | null = null;
  let hints: Map<string, number> | undefined;
  const reference = referenceWorld(scenario, values, { scaleHints: () => (hints ??= largestGradientElements(scenario, tfTrial!)) });
  try {
    const t0 = performance.now();
    tfTrial = tfjsTrial(scenario, inputs, { withGradients: live.some((s) => derivatives(s.checked!)) });
    // the forward pass's products are done (with the gradients, when claims take derivatives; a
    // product computed later packs the fresh tensor again): on wasm, the packed copies go
    if (tf.getBackend() === 'wasm') {
      try {
        tfTrial.uploadWeightsAgain(values.weights, POOLED_LENGTH);
      } catch {
        // memory only: a weight not uploaded again keeps its old tensor (swapped one at a time)
      }
    }
    // counted in the tfjs world's time of the trial's first claim, which would have computed it
    live[0].elapsed.tfjs += performance.now() - t0;
    memoryCheckpoint('tfjs forward and backward');
    // one pool for the trial's large arrays, dropped with it (src/reference/arrayPool.ts)
    const pool = new ArrayPool();
    for (const state of live) {
      const context = { scenario, inputs, tfTrial, reference, trial, seed: values.seed, keep };
      state.outcomes.push(withArrayPool(pool, () => judgeInTrial(state, context)));
    }
  } finally {
    tfTrial?.dispose();
    disposeTrialTensors(inputs);
  }
}

/**
 * Runs every claim of a scenario in both worlds over all trials. Each trial builds each world
 * once and evaluates every claim in it; the verdicts follow DESIGN §3.
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}): ClaimResult[] {
  const trials = options.trials ?? scenario.trials;
  const table = symbolTableOf(scenario);
  const wanted = options.claimIds ? scenario.claims.filter((c) => options.claimIds!.includes(c.id)) : scenario.claims;
  const states: ClaimState[] = wanted.map((claim) => {
    const checked = checkClaim({ lhs: claim.lhs, rhs: claim.rhs, ...(claim.where ? { where: claim.where } : {}) }, table);
    return {
      claim,
      checked: checked.ok ? checked.claim : null,
      ...(checked.ok ? {} : { problem: `${checked.field}: ${renderFormulaError(checked.error)}` }),
      tolerance: toleranceFor(claim),
      outcomes: [],
      elapsed: { reference: 0, tfjs: 0 },
    };
  });
  const live = states.filter((s) => s.checked !== null);
  const keep = options.keepSides === true;
  for (let trial = 0; trial < trials && live.length > 0; trial++) {
    runTrial(scenario, live, trial, options.seed, keep);
    options.onTrial?.(trial + 1, trials);
  }
  memoryCheckpoint('trials done');
  const results = states.map((s) => finish(s, trials, keep));
  memoryCheckpoint('verdicts');
  return results;
}
