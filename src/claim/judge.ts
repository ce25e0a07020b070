import { larger } from '../foundation/branchless';
import { excessOf, movedAcross, passes, passesAt, RELATIONS, relativeExcess, type Quantifier, type Relation, type RelationRule } from './relations';
import type { Sides } from './sides';
import { ESTIMATE_SHARE, type Tolerance } from './tolerances';

// The one judging loop: every selected element of one world's sides, under the claim's relation
// and tolerance. The comparison (compareSides), the vacuity self-test (flipOutcome), explain's
// tables and the gradient agreement check all read the sides through it, so an element is judged
// the same way everywhere: kinks and elements the reference's error estimate would decide are left
// unjudged, non-finite values are never a pass.

/** How the loop classed a selected element. */
export type ElementClass = 'kink' | 'imprecise' | 'judged' | 'not finite';

export interface JudgeOptions {
  /** judge the rhs moved just past what the relation allows (movedRhs) instead of the rhs itself */
  movedRhs?: boolean;
  /**
   * Called for every selected element, in position order. With it the loop goes on past a
   * non-finite element (class 'not finite'), which it otherwise stops at.
   */
  each?: (position: number, kind: ElementClass) => void;
}

/** What one pass over the sides found; positions index the sides' arrays. */
export interface Tally {
  /** judged elements (not at a kink, not decided by the estimate) */
  selected: number;
  failing: number;
  /** the deciding judged element (the worst for `all`, the best for `any`), or −1 */
  worst: number;
  worstExcess: number;
  kinks: number;
  firstKink: number;
  /** elements the reference's error estimate would decide, and the one whose estimate is largest next to its tolerance */
  imprecise: number;
  impreciseAt: number;
  /** its estimate over its tolerance */
  impreciseRatio: number;
  /** the first element with a non-finite side or allowance (−1: none); without `each` the loop stopped there */
  notFinite: number;
  /** which number of it is not finite */
  notFiniteWhat: 'lhs' | 'rhs' | 'allowance' | null;
}

/**
 * Whether the reference's error estimate, not well below the element's tolerance (more than
 * ESTIMATE_SHARE of it), decides the element: it passes with the estimate and not without, or the
 * other way round. Such an element is not judged (DESIGN §3: precise to well below the tolerance).
 */
export function decidedByEstimate(rel: Relation, l: number, r: number, tolerance: number, estimate: number): boolean {
  const rule = RELATIONS[rel];
  return estimate > ESTIMATE_SHARE * tolerance && passes(rule, l, r, tolerance + estimate) !== passes(rule, l, r, tolerance);
}

/**
 * One element's rhs moved just past what the relation allows (the vacuity self-test, DESIGN §3):
 * a float64 number, also for float32 sides. `rule` is the relation's entry (RELATIONS[rel]: the
 * judging loop looks it up once, not per element); `atol` is already scaled; `extra` is the
 * reference's error estimate (0 without one).
 */
export function movedRhs(rule: RelationRule, l: number, r: number, extra: number, atol: number, rtol: number): number {
  // 2× the allowance (and at least the smallest step that changes the number) clears the limit
  const size = larger(Math.abs(l), Math.abs(r));
  let step = 2 * (atol + rtol * size + extra) + 4 * Number.EPSILON * size + Number.MIN_VALUE;
  let moved = movedAcross(rule, l, r, step);
  // with rtol ≥ ½ the allowance grows with the moved rhs, so keep doubling; one that still
  // passes 2^64 times further out (rtol ≈ 1 or more) cannot fail: the rhs goes to infinity,
  // which the loop reports as not finite, never a pass. `!=` moves the rhs onto the lhs, at any
  // step: with a negative allowance that still passes, and the loop stops there too.
  for (let doubling = 0; passes(rule, l, moved, atol + rtol * larger(Math.abs(l), Math.abs(moved)) + extra); doubling++) {
    step = doubling < 64 ? 2 * step : Infinity;
    moved = movedAcross(rule, l, r, step);
    if (!Number.isFinite(moved) || doubling >= 64) break;
  }
  return moved;
}

/**
 * NaN, read from an array: with the constant NaN among the sources of the loop's rhs, V8 boxed
 * every element's rhs (16 bytes of garbage per element judged, and half the loop's speed).
 */
const NAN = Float64Array.of(NaN);
/**
 * The moved rhs, passed through an array for the same reason: where V8 did not inline movedRhs
 * (the self-test judges a few elements of a block, selfTest.ts, and calls it seldom), the rhs was
 * a boxed number in every loop that judges the rhs itself, every caller's: 16 bytes of garbage
 * per element and twice the time.
 */
const MOVED = new Float64Array(1);

/**
 * Every selected element of `sides`, judged; see the file's head. Allocates nothing and calls
 * nothing per element but `each`, the moved rhs (through MOVED, inlined or not) and `larger`
 * (which V8 inlines): the relation's
 * fields are read inline, as excessOf and passesAt read them, and the larger of |lhs| and |rhs|
 * is picked without a branch (src/foundation/branchless.ts).
 */
export function judgeSides(sides: Sides, rel: Relation, quantifier: Quantifier, tol: Tolerance, options: JudgeOptions = {}): Tally {
  const rule = RELATIONS[rel];
  const { absolute: byDistance, shift, sign, strict } = rule;
  const { lhs, rhs, mask, error, scale } = sides;
  const kink = sides.kink ?? null;
  const floor = sides.floor ?? null;
  const each = options.each ?? null;
  const moving = options.movedRhs === true;
  const all = quantifier === 'all';
  const atol = tol.atol * scale;
  const rtol = tol.rtol;
  const tally: Tally = { selected: 0, failing: 0, worst: -1, worstExcess: 0, kinks: 0, firstKink: -1, imprecise: 0, impreciseAt: -1, impreciseRatio: 0, notFinite: -1, notFiniteWhat: null };
  const n = lhs.length;
  // a moved rhs is read for the rhs's own elements only: past them it is not a number
  const moves = rhs.length;
  for (let at = 0; at < n; at++) {
    if (mask !== null && !mask[at]) continue;
    if (kink !== null && kink[at]) {
      if (tally.kinks++ === 0) tally.firstKink = at;
      each?.(at, 'kink');
      continue;
    }
    const l = lhs[at];
    const estimate = error !== null ? error[at] : 0;
    const absolute = floor !== null ? atol + floor[at] : atol;
    if (moving) MOVED[0] = at < moves ? movedRhs(rule, l, rhs[at], estimate, absolute, rtol) : NAN[0];
    const r = moving ? MOVED[0] : rhs[at];
    const tolerance = absolute + rtol * larger(Math.abs(l), Math.abs(r));
    const allowed = tolerance + estimate;
    // an infinite allowance passes everything and a NaN one fails everything: neither is a judgement
    if (!Number.isFinite(l) || !Number.isFinite(r) || !Number.isFinite(allowed)) {
      if (tally.notFinite < 0) {
        tally.notFinite = at;
        tally.notFiniteWhat = !Number.isFinite(l) ? 'lhs' : !Number.isFinite(r) ? 'rhs' : 'allowance';
      }
      if (each === null) break;
      each(at, 'not finite');
      continue;
    }
    const excess = byDistance ? sign * (Math.abs(l - r) - allowed) : sign * (l - (r + shift * allowed));
    const pass = strict ? excess < 0 : excess <= 0;
    // decidedByEstimate, with what is already known
    if (estimate > ESTIMATE_SHARE * tolerance && pass !== passesAt(rule, excessOf(rule, l, r, tolerance))) {
      const ratio = estimate / tolerance; // Infinity at tolerance 0
      if (tally.imprecise++ === 0 || ratio > tally.impreciseRatio) {
        tally.impreciseAt = at;
        tally.impreciseRatio = ratio;
      }
      each?.(at, 'imprecise');
      continue;
    }
    tally.selected++;
    if (!pass) tally.failing++;
    const relative = allowed > 0 ? excess / allowed : relativeExcess(excess, allowed);
    if (tally.worst < 0 || (all ? relative > tally.worstExcess : relative < tally.worstExcess)) {
      tally.worst = at;
      tally.worstExcess = relative;
    }
    each?.(at, 'judged');
  }
  return tally;
}

/**
 * The outcome a tally gives under the quantifier, DESIGN §3 (errors before verdicts); at-kink when
 * every selected element sits at a kink, so that nothing was judged.
 */
export function outcomeOf(tally: Tally, quantifier: Quantifier): 'holds' | 'refuted' | 'error' | 'at-kink' {
  const all = quantifier === 'all';
  if (tally.notFinite >= 0) return 'error';
  // the judged elements leave the outcome to the ones the estimate would decide
  if (tally.imprecise > 0 && (all ? tally.failing === 0 : tally.failing === tally.selected)) return 'error';
  if (tally.selected === 0 && tally.kinks > 0) return 'at-kink';
  // nothing selected
  if (tally.selected === 0) return 'error';
  return (all ? tally.failing === 0 : tally.failing < tally.selected) ? 'holds' : 'refuted';
}
