import { allowedDifference, ESTIMATE_SHARE, type Tolerance } from './tolerances';
import { unravel } from '../foundation/indices';

// One world, one trial: lhs against rhs element by element under the claim's relation.

export type Relation = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type Quantifier = 'all' | 'any';

/** One side's numbers: float64, or float32 as read back from tfjs (never copied to float64). */
export type SideValues = Float64Array | Float32Array;

/**
 * Both sides of a claim laid out over its free indices (row-major over `sizes`). With `at`
 * (sparse sides), every per-element array (lhs, rhs, error, mask, kink, oneSided) holds only the
 * elements at those flat positions, in that order, and no other element is selected.
 */
export interface Sides {
  vars: string[];
  sizes: number[];
  lhs: SideValues;
  rhs: SideValues;
  /** the reference's own error bound per element (lhs + rhs), absent in the tfjs world */
  error: Float64Array | null;
  /** 1 where `where` selects the element; null selects all */
  mask: Uint8Array | null;
  /** sparse sides: the flat position of each stored element, ascending; absent: dense (position = flat) */
  at?: Int32Array | null;
  /** magnitude that absolute tolerances are scaled by */
  scale: number;
  /** 1 where the reference took a derivative at a kink (not differentiable there): not judged in either world */
  kink?: Uint8Array | null;
  /** with `kink`: lhs and rhs as computed from the forward, and the backward, one-sided derivatives */
  oneSided?: { forward: { lhs: SideValues; rhs: SideValues }; backward: { lhs: SideValues; rhs: SideValues } } | null;
}

/** Flat position (over `sizes`) of the element stored at `position` of the sides' arrays. */
export const flatOf = (sides: Sides, position: number): number => (sides.at ? sides.at[position] : position);

/** Elements of the claim's layout: the product of `sizes` (the dense sides' length). */
export const elementCount = (sides: Sides): number => sides.sizes.reduce((a, b) => a * b, 1);

/** Selected elements left unjudged because the reference found a kink there, and the first of them. */
export interface KinkReport {
  count: number;
  flat: number;
  index: number[];
  /** lhs and rhs from each one-sided derivative at that element, when the world knows them */
  forward?: { lhs: number; rhs: number };
  backward?: { lhs: number; rhs: number };
}

/**
 * Selected elements the reference could not judge: its error estimate decides them (they pass
 * with it and fail without it, or the other way round) and is more than ESTIMATE_SHARE of their
 * tolerance. The one whose estimate is largest next to its tolerance, and how many.
 */
export interface ImpreciseReport {
  count: number;
  flat: number;
  index: number[];
  estimate: number;
  /** atol·scale + rtol·max(|lhs|, |rhs|): the allowance without the estimate */
  tolerance: number;
}

export interface ElementReport {
  /** flat position and the value of each free index */
  flat: number;
  index: number[];
  lhs: number;
  rhs: number;
  difference: number;
  allowed: number;
  /** how far past the relation's limit, in units of `allowed` (≤ 0 passes, > 0 fails; strict relations fail at 0) */
  excess: number;
  passes: boolean;
}

export type Outcome = 'holds' | 'refuted' | 'error';

export interface WorldOutcome {
  outcome: Outcome;
  /** for 'error' */
  message?: string;
  /** deciding element: the worst for `all`, the best for `any` */
  worst: ElementReport | null;
  selected: number;
  failing: number;
  /** selected elements at a kink, left out of `selected` and not judged; absent when none */
  kinks?: KinkReport;
  /** selected elements the reference's estimate would decide, left out of `selected` and not judged; absent when none */
  imprecise?: ImpreciseReport;
}

/** Signed distance past the relation's limit (not yet in units of `allowed`). */
function excessOf(rel: Relation, l: number, r: number, allowed: number): number {
  switch (rel) {
    case '==':
      return Math.abs(l - r) - allowed;
    case '!=':
      return allowed - Math.abs(l - r);
    case '<':
      return l - (r - allowed);
    case '<=':
      return l - (r + allowed);
    case '>':
      return r + allowed - l;
    case '>=':
      return r - allowed - l;
  }
}

/** Whether the element passes the relation. */
function passesRel(rel: Relation, l: number, r: number, allowed: number): boolean {
  switch (rel) {
    case '==':
      return Math.abs(l - r) <= allowed;
    case '!=':
      return Math.abs(l - r) > allowed;
    case '<':
      return l < r - allowed;
    case '<=':
      return l <= r + allowed;
    case '>':
      return l > r + allowed;
    case '>=':
      return l >= r - allowed;
  }
}

/** The excess in units of the allowance (≤ 0 passes, > 0 fails). */
function relativeExcess(excess: number, allowed: number): number {
  return allowed > 0 ? excess / allowed : excess > 0 ? Infinity : excess < 0 ? -Infinity : 0;
}

/** The element stored at `position` (its flat position for dense sides), judged. */
export function judgeElement(sides: Sides, position: number, rel: Relation, tol: Tolerance): ElementReport {
  const l = sides.lhs[position];
  const r = sides.rhs[position];
  const allowed = allowedDifference(tol, sides.scale, l, r, sides.error ? sides.error[position] : 0);
  const flat = flatOf(sides, position);
  return {
    flat,
    index: unravel(flat, sides.sizes),
    lhs: l,
    rhs: r,
    difference: l - r,
    allowed,
    excess: relativeExcess(excessOf(rel, l, r, allowed), allowed),
    passes: passesRel(rel, l, r, allowed),
  };
}

/**
 * Whether the reference's error estimate, not well below the element's tolerance (more than
 * ESTIMATE_SHARE of it), decides the element: it passes with the estimate and not without, or the
 * other way round. Such an element is not judged (DESIGN §3: precise to well below the tolerance).
 */
export function decidedByEstimate(rel: Relation, l: number, r: number, tolerance: number, estimate: number, passes = passesRel(rel, l, r, tolerance + estimate)): boolean {
  return estimate > ESTIMATE_SHARE * tolerance && passes !== passesRel(rel, l, r, tolerance);
}

/** An element of sides, by position: whether the reference's estimate decides it (decidedByEstimate). */
export function decidedByEstimateAt(sides: Sides, position: number, rel: Relation, tol: Tolerance): boolean {
  if (!sides.error) return false;
  const l = sides.lhs[position];
  const r = sides.rhs[position];
  return decidedByEstimate(rel, l, r, allowedDifference(tol, sides.scale, l, r), sides.error[position]);
}

/**
 * Elements the mask selects, judged; non-finite values are reported, never passed. An element
 * that the reference's error estimate would decide while not well below its tolerance is not
 * judged: if the outcome rests on such elements (`all` with no judged element failing, `any`
 * with none passing) it is an error, never a pass. The loop allocates nothing: only the deciding
 * element (or the one in error) becomes an ElementReport.
 */
export function compareSides(sides: Sides, rel: Relation, quantifier: Quantifier, tol: Tolerance): WorldOutcome {
  let selected = 0;
  let failing = 0;
  let worstFlat = -1;
  let worstExcess = 0;
  let kinkCount = 0;
  let firstKink = -1;
  let impreciseCount = 0;
  let impreciseAt = -1;
  let impreciseRatio = 0;
  const { lhs, rhs, mask, error, scale } = sides;
  const kink = sides.kink ?? null;
  const all = quantifier === 'all';
  const atol = tol.atol * scale;
  const rtol = tol.rtol;
  const n = lhs.length;
  for (let flat = 0; flat < n; flat++) {
    // `flat` is the position in the arrays (the flat position itself for dense sides)
    if (mask !== null && !mask[flat]) continue;
    if (kink !== null && kink[flat]) {
      if (kinkCount++ === 0) firstKink = flat;
      continue;
    }
    const l = lhs[flat];
    const r = rhs[flat];
    if (!Number.isFinite(l) || !Number.isFinite(r)) {
      const element = judgeElement(sides, flat, rel, tol);
      const which = Number.isFinite(l) ? 'rhs' : 'lhs';
      return { outcome: 'error', message: `${which} is ${which === 'lhs' ? l : r} at [${element.index.join(',')}]`, worst: element, selected: selected + 1, failing };
    }
    // allowedDifference, inline (same operations, same order)
    const tolerance = atol + rtol * Math.max(Math.abs(l), Math.abs(r));
    const estimate = error !== null ? error[flat] : 0;
    const allowed = tolerance + estimate;
    // an infinite allowance passes everything and a NaN one fails everything: neither is a judgement
    if (!Number.isFinite(allowed)) {
      const element = judgeElement(sides, flat, rel, tol);
      const reference = error ? `, reference error ${estimate}` : '';
      return { outcome: 'error', message: `the allowed difference is ${allowed} at [${element.index.join(',')}] (scale ${scale}${reference})`, worst: element, selected: selected + 1, failing };
    }
    const passes = passesRel(rel, l, r, allowed);
    if (decidedByEstimate(rel, l, r, tolerance, estimate, passes)) {
      const ratio = estimate / tolerance; // Infinity at tolerance 0
      if (impreciseCount++ === 0 || ratio > impreciseRatio) {
        impreciseAt = flat;
        impreciseRatio = ratio;
      }
      continue;
    }
    selected++;
    if (!passes) failing++;
    const excess = relativeExcess(excessOf(rel, l, r, allowed), allowed);
    if (worstFlat < 0 || (all ? excess > worstExcess : excess < worstExcess)) {
      worstFlat = flat;
      worstExcess = excess;
    }
  }
  const kinks = kinkCount > 0 ? { ...kinkAt(sides, firstKink), count: kinkCount } : undefined;
  const imprecise = impreciseCount > 0 ? { ...estimateAt(sides, impreciseAt, tol), count: impreciseCount } : undefined;
  if (imprecise && (all ? failing === 0 : failing === selected)) {
    // the judged elements leave the outcome to the ones the estimate would decide
    const element = judgeElement(sides, impreciseAt, rel, tol);
    return { outcome: 'error', message: describeImprecise(imprecise, element), worst: element, selected, failing, ...(kinks ? { kinks } : {}), imprecise };
  }
  if (selected === 0 && kinks) return { outcome: 'error', message: `every selected element is at a kink: ${describeKinks(kinks, sides.vars)}`, worst: null, selected, failing, kinks };
  if (selected === 0) return { outcome: 'error', message: 'where selects no element', worst: null, selected, failing };
  const holds = all ? failing === 0 : failing < selected;
  const worst = judgeElement(sides, worstFlat, rel, tol);
  return { outcome: holds ? 'holds' : 'refuted', worst, selected, failing, ...(kinks ? { kinks } : {}), ...(imprecise ? { imprecise } : {}) };
}

function estimateAt(sides: Sides, position: number, tol: Tolerance): Omit<ImpreciseReport, 'count'> {
  const flat = flatOf(sides, position);
  return { flat, index: unravel(flat, sides.sizes), estimate: sides.error![position], tolerance: allowedDifference(tol, sides.scale, sides.lhs[position], sides.rhs[position]) };
}

const short = (v: number, digits: number): string => String(Number(v.toPrecision(digits)));

/** `the reference's finite differences are not precise enough at [0,1]: error estimate 1e-7 vs tolerance 1e-8 (lhs − rhs = 3e-8 passes only with the estimate)` */
export function describeImprecise(p: ImpreciseReport, element: ElementReport): string {
  const others = p.count > 1 ? `; ${p.count} such elements` : '';
  const decides = `lhs − rhs = ${short(element.difference, 3)} ${element.passes ? 'passes' : 'fails'} only with the estimate`;
  return `the reference's finite differences are not precise enough at [${p.index.join(',')}]: error estimate ${short(p.estimate, 3)} vs tolerance ${short(p.tolerance, 3)} (${decides}${others})`;
}

function kinkAt(sides: Sides, position: number): KinkReport {
  const flat = flatOf(sides, position);
  const report: KinkReport = { count: 1, flat, index: unravel(flat, sides.sizes) };
  const sided = sides.oneSided;
  if (!sided) return report;
  return { ...report, forward: { lhs: sided.forward.lhs[position], rhs: sided.forward.rhs[position] }, backward: { lhs: sided.backward.lhs[position], rhs: sided.backward.rhs[position] } };
}

/** `1 element at a kink, first [i=0, j=1] (lhs from one-sided derivatives: -0.5 and 0.5)` */
export function describeKinks(k: KinkReport, vars: readonly string[]): string {
  const at = k.index.length > 0 ? ` [${k.index.map((v, i) => `${vars[i] ?? '?'}=${v}`).join(', ')}]` : '';
  const count = `${k.count} element${k.count === 1 ? '' : 's'} at a kink${k.count > 1 ? `, first${at}` : at}`;
  if (!k.forward || !k.backward) return count;
  const n = (v: number) => short(v, 7);
  const sides = (which: 'lhs' | 'rhs') => (k.forward![which] !== k.backward![which] ? `${which} from one-sided derivatives ${n(k.backward![which])} (backward) and ${n(k.forward![which])} (forward)` : '');
  const differ = [sides('lhs'), sides('rhs')].filter(Boolean).join('; ');
  return differ ? `${count} (${differ})` : count;
}

/** The rhs moved by `step` across the relation's limit. */
function movedRhs(rel: Relation, l: number, r: number, step: number): number {
  switch (rel) {
    case '==':
      return r >= l ? r + step : r - step;
    case '!=':
      return l;
    case '<':
    case '<=':
      return l - step;
    case '>':
    case '>=':
      return l + step;
  }
}

/**
 * The rhs moved just past what the relation allows at every selected element: a check that
 * still holds against it cannot fail (DESIGN §3, the vacuity self-test). A new float64 array;
 * `flipOutcome` judges the moved rhs without one.
 */
export function perturbRhs(sides: Sides, rel: Relation, tol: Tolerance): Sides {
  const rhs = Float64Array.from(sides.rhs);
  const { lhs, mask, error } = sides;
  // allowedDifference, inline (same operations, same order)
  const atol = tol.atol * sides.scale;
  const rtol = tol.rtol;
  for (let flat = 0; flat < rhs.length; flat++) {
    if (mask && !mask[flat]) continue;
    rhs[flat] = perturbedRhs(rel, lhs[flat], rhs[flat], error ? error[flat] : 0, atol, rtol);
  }
  return { ...sides, rhs };
}

/**
 * One element's rhs as perturbRhs moves it (and flipOutcome, which must agree with it exactly):
 * a float64 number, also for float32 sides. `atol` is already scaled; `extra` is the reference's
 * error estimate (0 without one).
 */
function perturbedRhs(rel: Relation, l: number, r: number, extra: number, atol: number, rtol: number): number {
  // 2× the allowance (and at least the smallest step that changes the number) clears the limit
  let step = 2 * (atol + rtol * Math.max(Math.abs(l), Math.abs(r)) + extra) + 4 * Number.EPSILON * Math.max(Math.abs(l), Math.abs(r)) + Number.MIN_VALUE;
  let moved = movedRhs(rel, l, r, step);
  // with rtol ≥ ½ the allowance grows with the moved rhs, so keep doubling; one that still
  // passes 2^64 times further out (rtol ≈ 1 or more) cannot fail: the rhs goes to infinity,
  // which compareSides reports as an error, never a pass
  for (let doubling = 0; passesRel(rel, l, moved, atol + rtol * Math.max(Math.abs(l), Math.abs(moved)) + extra); doubling++) {
    step = doubling < 64 ? 2 * step : Infinity;
    moved = movedRhs(rel, l, r, step);
    if (!Number.isFinite(moved)) break;
  }
  return moved;
}

/**
 * The vacuity self-test's outcome without the moved rhs in memory: exactly
 * `compareSides(perturbRhs(sides, rel, tol), rel, quantifier, tol).outcome`, with each element's
 * moved rhs computed where compareSides would read it (perturbedRhs, as perturbRhs does). Nothing
 * is allocated per element; kinks, the mask, the estimate's "imprecise" rule and the errors
 * (non-finite sides or allowance, nothing selected) are decided as compareSides decides them.
 */
export function flipOutcome(sides: Sides, rel: Relation, quantifier: Quantifier, tol: Tolerance): Outcome {
  let selected = 0;
  let failing = 0;
  let imprecise = 0;
  const { lhs, rhs, mask, error, scale } = sides;
  const kink = sides.kink ?? null;
  const all = quantifier === 'all';
  const atol = tol.atol * scale;
  const rtol = tol.rtol;
  const n = lhs.length;
  // perturbRhs's copy of rhs is rhs.length long: compareSides reads no number past it (an error)
  const moves = rhs.length;
  for (let flat = 0; flat < n; flat++) {
    // compareSides' loop, reading the moved rhs (same tests, same order)
    if (mask !== null && !mask[flat]) continue;
    if (kink !== null && kink[flat]) continue; // a kink's rhs is moved, but never judged
    const l = lhs[flat];
    const r = flat < moves ? perturbedRhs(rel, l, rhs[flat], error ? error[flat] : 0, atol, rtol) : NaN;
    if (!Number.isFinite(l) || !Number.isFinite(r)) return 'error';
    const tolerance = atol + rtol * Math.max(Math.abs(l), Math.abs(r));
    const estimate = error !== null ? error[flat] : 0;
    const allowed = tolerance + estimate;
    if (!Number.isFinite(allowed)) return 'error';
    const passes = passesRel(rel, l, r, allowed);
    if (decidedByEstimate(rel, l, r, tolerance, estimate, passes)) {
      imprecise++;
      continue;
    }
    selected++;
    if (!passes) failing++;
  }
  if (imprecise > 0 && (all ? failing === 0 : failing === selected)) return 'error';
  // every selected element at a kink, or none selected
  if (selected === 0) return 'error';
  return (all ? failing === 0 : failing < selected) ? 'holds' : 'refuted';
}
