import type { CheckedComputation } from '../scenario/compile';
import type { AgreementExpectation } from '../scenario/schema';
import { GRADIENT_AGREEMENT_TOLERANCE, type Tolerance } from './tolerances';

// The built-in gradient agreement check of one scenario (one cell of a sweep): in every trial,
// tfjs's own ∂E/∂S against the reference's for every symbol S the computation compares (its
// tensors and definitions; a network's x, parameters, net, a and o). What the trials gather
// (AgreementState, filled by agreementInTrial.ts) and the result every report shows.

/** One element compared: tfjs autodiff against the float64 reference. */
export interface AgreementElement {
  symbol: string;
  index: number[];
  trial: number;
  seed: number;
  tfjs: number;
  reference: number;
  /** |tfjs − reference| */
  difference: number;
  /** the difference the tolerance allows there */
  allowed: number;
}

/** agrees: no element compared departs; disputed: some does; error: a world could not give a gradient */
export type AgreementVerdict = 'agrees' | 'disputed' | 'error';

export interface AgreementResult {
  /** what the scenario expects (its `agreement` field; agrees by default) */
  expect: AgreementExpectation;
  verdict: AgreementVerdict;
  met: boolean;
  /** why the verdict is error */
  message?: string;
  tolerance: Tolerance;
  trials: number;
  /** the symbols compared, in order */
  symbols: string[];
  /** elements compared, over every trial */
  compared: number;
  /** the first element where the two part (in trial order, then from the loss back, then element order), null when none does */
  first: AgreementElement | null;
  /** the element closest to (or furthest past) its allowed difference */
  worst: AgreementElement | null;
  /** each symbol with elements past their allowed difference, and how many (over the trials), in the symbols' order */
  departing: { symbol: string; count: number }[];
  /** symbols compared at chosen elements (agreementInTrial.ts says which): how many elements each has, and how many were compared per trial (the fewest) */
  sampled: { symbol: string; elements: number; compared: number }[];
  /** elements not compared because the reference found a kink there (one-sided derivatives differ), and the first */
  kinks?: { count: number; first: AgreementElement & { forward: number; backward: number } };
  /** elements not compared because the reference's error estimate would decide them (claim/judge.ts) */
  imprecise?: number;
  /**
   * elements not compared because the reference's finite differences gave no finite number there
   * (a pole or an overflow within their steps): tfjs is not to blame for them
   */
  referenceNotFinite?: number;
  elapsedMs: number;
}

/** What the trials of one run gather. */
export interface AgreementState {
  tolerance: Tolerance;
  symbols: string[];
  /** the symbols in the order they are judged: from the loss back (so the first departing element is the one nearest E) */
  order: string[];
  /** which of them are parameters (their ∂E/∂P is taken for the gradient scale anyway) */
  parameters: Set<string>;
  /** numbers one trial holds (the computation's size: what one finite-difference pass may touch) */
  numbers: number;
  trials: number;
  compared: number;
  first: AgreementElement | null;
  worst: AgreementElement | null;
  departing: Map<string, number>;
  sampled: Map<string, { elements: number; compared: number }>;
  kinks?: AgreementResult['kinks'];
  imprecise: number;
  referenceNotFinite: number;
  /** the first error, in words */
  error?: string;
  elapsedMs: number;
}

/**
 * A run's check of the symbols the computation compares. Within a trial they are judged from the
 * loss back: the definitions last to first, then the tensors last to first. A gradient that
 * departs near the loss departs everywhere before it, so the first element found is where the
 * two part.
 */
export function newAgreementState(computation: Pick<CheckedComputation, 'compared' | 'definitions' | 'tensors' | 'parameters' | 'numbers'>, tolerance: Tolerance = GRADIENT_AGREEMENT_TOLERANCE): AgreementState {
  const symbols = [...computation.compared];
  const backwards = [...computation.definitions.map((d) => d.name).reverse(), ...computation.tensors.map((t) => t.name).reverse()];
  const order = [...backwards.filter((s) => symbols.includes(s)), ...symbols.filter((s) => !backwards.includes(s))];
  return { tolerance, symbols, order, parameters: new Set(computation.parameters), numbers: computation.numbers, trials: 0, compared: 0, first: null, worst: null, departing: new Map(), sampled: new Map(), imprecise: 0, referenceNotFinite: 0, elapsedMs: 0 };
}

/** Worst first: by difference / allowed, non-finite first of all. */
export function badness(e: Pick<AgreementElement, 'tfjs' | 'reference' | 'difference' | 'allowed'>): number {
  if (!Number.isFinite(e.tfjs) || !Number.isFinite(e.reference) || !Number.isFinite(e.allowed)) return Infinity;
  return e.allowed > 0 ? e.difference / e.allowed : e.difference > 0 ? Infinity : 0;
}

/** Whether an element departs: past its allowed difference, or tfjs's value not a finite number (never a pass). */
export const departs = (e: Pick<AgreementElement, 'tfjs' | 'reference' | 'difference' | 'allowed'>): boolean => !(badness(e) <= 1);

/** The result of the trials gathered in `state`, judged against what the scenario expects. */
export function finishAgreement(state: AgreementState, expect: AgreementExpectation): AgreementResult {
  const verdict: AgreementVerdict = state.error !== undefined ? 'error' : state.departing.size > 0 ? 'disputed' : 'agrees';
  return {
    expect,
    verdict,
    met: verdict === expect,
    ...(state.error !== undefined ? { message: state.error } : {}),
    tolerance: state.tolerance,
    trials: state.trials,
    symbols: state.symbols,
    compared: state.compared,
    first: state.first,
    worst: state.worst,
    departing: state.symbols.filter((s) => state.departing.has(s)).map((symbol) => ({ symbol, count: state.departing.get(symbol)! })),
    sampled: state.symbols.filter((s) => state.sampled.has(s)).map((symbol) => ({ symbol, ...state.sampled.get(symbol)! })),
    ...(state.kinks ? { kinks: state.kinks } : {}),
    ...(state.imprecise > 0 ? { imprecise: state.imprecise } : {}),
    ...(state.referenceNotFinite > 0 ? { referenceNotFinite: state.referenceNotFinite } : {}),
    elapsedMs: state.elapsedMs,
  };
}
