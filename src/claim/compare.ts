import { unravel } from '../foundation/indices';
import { judgeSides, outcomeOf, type Tally } from './judge';
import { excessOf, passes, RELATIONS, relativeExcess, type Quantifier, type Relation } from './relations';
import { flatOf, type Sides } from './sides';
import { selfTestTally } from './selfTest';
import { allowedDifference, type Tolerance } from './tolerances';

// One world, one trial: lhs against rhs element by element under the claim's relation (the loop
// is judge.ts's), and the outcome with the element that decides it.

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

/** at-kink: every selected element sits at a kink, so nothing was judged */
export type Outcome = 'holds' | 'refuted' | 'error' | 'at-kink';

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

/** A world's evaluation that threw, as its outcome (reported against the claim, never a crash). */
export const errorOutcome = (e: unknown): WorldOutcome => ({ outcome: 'error', message: (e as Error).message, worst: null, selected: 0, failing: 0 });

/** The element stored at `position` (its flat position for dense sides), judged. */
export function judgeElement(sides: Sides, position: number, rel: Relation, tol: Tolerance): ElementReport {
  const l = sides.lhs[position];
  const r = sides.rhs[position];
  const allowed = allowedDifference(tol, sides.scale, l, r, (sides.error ? sides.error[position] : 0) + floorAt(sides, position));
  const flat = flatOf(sides, position);
  const rule = RELATIONS[rel];
  return {
    flat,
    index: unravel(flat, sides.sizes),
    lhs: l,
    rhs: r,
    difference: l - r,
    allowed,
    excess: relativeExcess(excessOf(rule, l, r, allowed), allowed),
    passes: passes(rule, l, r, allowed),
  };
}

/**
 * Elements the mask selects, judged (judge.ts); non-finite values are reported, never passed. An
 * element that the reference's error estimate would decide while not well below its tolerance is
 * not judged: if the outcome rests on such elements (`all` with no judged element failing, `any`
 * with none passing) it is an error, never a pass. Only the deciding element (or the one in
 * error) becomes an ElementReport.
 */
export function compareSides(sides: Sides, rel: Relation, quantifier: Quantifier, tol: Tolerance): WorldOutcome {
  return outcomeFromTally(judgeSides(sides, rel, quantifier, tol), reportsOf(sides, rel, tol), quantifier);
}

/** The reports an outcome gives at the positions its tally names. */
export interface TallyReports {
  element(position: number): ElementReport;
  /** the first kink's report (its count is the tally's) */
  kink(position: number): KinkReport;
  estimate(position: number): Omit<ImpreciseReport, 'count'>;
  /** why the first non-finite element is not judged */
  notFinite(position: number, what: Tally['notFiniteWhat']): string;
}

/** The reports read from the sides a tally was taken of. */
export function reportsOf(sides: Sides, rel: Relation, tol: Tolerance): TallyReports {
  return {
    element: (position) => judgeElement(sides, position, rel, tol),
    kink: (position) => kinkAt(sides, position),
    estimate: (position) => estimateAt(sides, position, tol),
    notFinite(position, what) {
      const element = judgeElement(sides, position, rel, tol);
      const at = `[${element.index.join(',')}]`;
      return what === 'allowance'
        ? `the allowed difference is ${element.allowed} at ${at} (scale ${sides.scale}${sides.error ? `, reference error ${sides.error[position]}` : ''})`
        : `${what} is ${what === 'lhs' ? element.lhs : element.rhs} at ${at}`;
    },
  };
}

/** The outcome a tally gives, with the reports at the elements that decide it. */
export function outcomeFromTally(tally: Tally, reports: TallyReports, quantifier: Quantifier): WorldOutcome {
  const counts = { selected: tally.selected, failing: tally.failing };
  if (tally.notFinite >= 0) {
    const message = reports.notFinite(tally.notFinite, tally.notFiniteWhat);
    return { outcome: 'error', message, worst: reports.element(tally.notFinite), selected: tally.selected + 1, failing: tally.failing };
  }
  const kinks = tally.kinks > 0 ? { ...reports.kink(tally.firstKink), count: tally.kinks } : undefined;
  const imprecise = tally.imprecise > 0 ? { ...reports.estimate(tally.impreciseAt), count: tally.imprecise } : undefined;
  const unjudged = { ...(kinks ? { kinks } : {}), ...(imprecise ? { imprecise } : {}) };
  const outcome = outcomeOf(tally, quantifier);
  if (outcome === 'error' && imprecise) {
    const element = reports.element(tally.impreciseAt);
    return { outcome, message: describeImprecise(imprecise, element), worst: element, ...counts, ...unjudged };
  }
  if (outcome === 'at-kink') return { outcome, worst: null, ...counts, kinks };
  if (outcome === 'error') return { outcome, message: 'where selects no element', worst: null, ...counts };
  return { outcome, worst: reports.element(tally.worst), ...counts, ...unjudged };
}

/**
 * The vacuity self-test's outcome (DESIGN §3): the claim judged with every selected element's rhs
 * moved just past what the relation allows (judge.ts movedRhs), each moved rhs computed where the
 * loop reads it, so no moved copy of the rhs is made; settled early where it can be (selfTest.ts).
 */
export function flipOutcome(sides: Sides, rel: Relation, quantifier: Quantifier, tol: Tolerance): Outcome {
  return outcomeOf(selfTestTally(sides, rel, quantifier, tol), quantifier);
}

function estimateAt(sides: Sides, position: number, tol: Tolerance): Omit<ImpreciseReport, 'count'> {
  const flat = flatOf(sides, position);
  return { flat, index: unravel(flat, sides.sizes), estimate: sides.error![position], tolerance: allowedDifference(tol, sides.scale, sides.lhs[position], sides.rhs[position], floorAt(sides, position)) };
}

/** The sides' per-element floor at `position` (0 without one). */
const floorAt = (sides: Sides, position: number): number => (sides.floor ? sides.floor[position] : 0);

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
