import type { CheckedClaim } from '../formula/check';
import type { Claim } from '../scenario/schema';
import type { ElementReport, ImpreciseReport, KinkReport, Outcome, WorldOutcome } from './compare';
import type { Coverage } from './sampledGradientCheck';
import type { Sides } from './sides';
import { stepOf } from './stepSides';
import { DEFAULT_TOLERANCE, type Tolerance, type WorldName } from './tolerances';
import { verdictOf, type ClaimVerdict } from './verdict';

// One claim's result over every trial: what each trial found in each world (ClaimState), summed
// up per world, with the verdict of DESIGN §3 and the vacuity self-test.

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
  /** holds in every trial judged, refuted in some, every selected element at a kink in every trial (at-kink), or could not be judged */
  outcome: Outcome;
  message?: string;
  tolerance: Tolerance;
  /** the deciding element of the worst trial */
  worst: WorstElement | null;
  trialsRefuted: number;
  elapsedMs: number;
  /**
   * Present when the reference world checked a large gradient by sampling (docs "Verification
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
   * (src/claim/judge.ts), summed over trials, and the one whose estimate is largest next to its
   * tolerance in the first such trial. Absent when there were none.
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
  /** the parameter P of a claim whose lhs is next(P)[…]: both sides were judged as steps, next(P) − P against rhs − P */
  judgedOnStep?: string;
  /** whether moving the rhs past the relation flipped the verdict (claims that hold only) */
  vacuity?: { flipped: boolean; reference: string; tfjs: string };
  trials: number;
  worlds: Record<WorldName, WorldSummary>;
  /** per trial sides, when RunOptions.keepSides */
  sides?: { trial: number; seed: number; reference: Sides; tfjs: Sides }[];
}

/** One trial of one claim: each world's outcome, the self-test, and (for explain) the sides. */
export interface TrialOutcome {
  trial: number;
  seed: number;
  reference: WorldOutcome;
  tfjs: WorldOutcome;
  /** the vacuity self-test of this trial (taken when both worlds hold in it) */
  flips: Record<WorldName, Outcome> | null;
  /** kept only for RunOptions.keepSides: at scale each trial's dense sides are arrays of the network's size */
  sides: Record<WorldName, Sides> | null;
}

/** What a claim gathers over its trials. */
export interface ClaimState {
  claim: Claim;
  checked: CheckedClaim | null;
  problem?: string;
  tolerance: Record<WorldName, Tolerance>;
  outcomes: TrialOutcome[];
  elapsed: Record<WorldName, number>;
  coverage?: Coverage;
  scaleSampled?: boolean;
}

/** Each given value replaces that default in both worlds. */
export function toleranceFor(claim: Claim): Record<WorldName, Tolerance> {
  const given = claim.tolerance ?? {};
  return {
    reference: { ...DEFAULT_TOLERANCE.reference, ...given },
    tfjs: { ...DEFAULT_TOLERANCE.tfjs, ...given },
  };
}

function worstOf(state: ClaimState, world: WorldName): WorstElement | null {
  let worst: WorstElement | null = null;
  for (const o of state.outcomes) {
    const w = o[world].worst;
    if (w && (worst === null || w.excess > worst.excess)) worst = { ...w, trial: o.trial, seed: o.seed };
  }
  return worst;
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

function summarise(state: ClaimState, world: WorldName): WorldSummary {
  const errors = state.outcomes.filter((o) => o[world].outcome === 'error');
  const refuted = state.outcomes.filter((o) => o[world].outcome === 'refuted').length;
  const atKink = state.outcomes.every((o) => o[world].outcome === 'at-kink');
  const outcome = errors.length > 0 ? 'error' : refuted > 0 ? 'refuted' : atKink ? 'at-kink' : 'holds';
  const message = errors.length > 0 ? `trial ${errors[0].trial} (seed ${errors[0].seed}): ${errors[0][world].message}` : undefined;
  const extra = world === 'reference' ? { ...(state.coverage ? { coverage: state.coverage } : {}), ...(state.scaleSampled ? { scaleSource: 'sampled' as const } : {}) } : {};
  const kinks = unjudgedOf(state, world, 'kinks');
  const imprecise = unjudgedOf(state, world, 'imprecise');
  return { outcome, ...(message ? { message } : {}), tolerance: state.tolerance[world], worst: worstOf(state, world), trialsRefuted: refuted, elapsedMs: state.elapsed[world], ...extra, ...(kinks ? { kinks } : {}), ...(imprecise ? { imprecise } : {}) };
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

/** The claim's result: each world summed up, the verdict, and for a claim that holds, whether the self-test flipped it. */
export function finish(state: ClaimState, trials: number, keepSides: boolean): ClaimResult {
  const { claim } = state;
  const step = state.checked ? stepOf(state.checked.lhs) : null;
  const base = { id: claim.id, says: claim.says, expect: claim.expect, ...(claim.note ? { note: claim.note } : {}), indices: state.checked?.freeIndices.map((f) => f.name) ?? [], trials, ...(step !== null ? { judgedOnStep: step } : {}) };
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
