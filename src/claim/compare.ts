import { allowedDifference, type Tolerance } from './tolerances';

// One world, one trial: lhs against rhs element by element under the claim's relation.

export type Relation = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type Quantifier = 'all' | 'any';

/** Both sides of a claim laid out over its free indices (row-major over `sizes`). */
export interface Sides {
  vars: string[];
  sizes: number[];
  lhs: Float64Array;
  rhs: Float64Array;
  /** the reference's own error bound per element (lhs + rhs), absent in the tfjs world */
  error: Float64Array | null;
  /** 1 where `where` selects the element; null selects all */
  mask: Uint8Array | null;
  /** magnitude that absolute tolerances are scaled by */
  scale: number;
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
}

export function unravelSizes(flat: number, sizes: readonly number[]): number[] {
  const index = new Array<number>(sizes.length);
  for (let axis = sizes.length - 1; axis >= 0; axis--) {
    index[axis] = flat % sizes[axis];
    flat = Math.floor(flat / sizes[axis]);
  }
  return index;
}

/** Signed distance past the relation's limit, and whether the element passes. */
function judge(rel: Relation, l: number, r: number, allowed: number): { excess: number; passes: boolean } {
  const diff = Math.abs(l - r);
  switch (rel) {
    case '==':
      return { excess: diff - allowed, passes: diff <= allowed };
    case '!=':
      return { excess: allowed - diff, passes: diff > allowed };
    case '<':
      return { excess: l - (r - allowed), passes: l < r - allowed };
    case '<=':
      return { excess: l - (r + allowed), passes: l <= r + allowed };
    case '>':
      return { excess: r + allowed - l, passes: l > r + allowed };
    case '>=':
      return { excess: r - allowed - l, passes: l >= r - allowed };
  }
}

export function judgeElement(sides: Sides, flat: number, rel: Relation, tol: Tolerance): ElementReport {
  const l = sides.lhs[flat];
  const r = sides.rhs[flat];
  const allowed = allowedDifference(tol, sides.scale, l, r, sides.error ? sides.error[flat] : 0);
  const { excess, passes } = judge(rel, l, r, allowed);
  return {
    flat,
    index: unravelSizes(flat, sides.sizes),
    lhs: l,
    rhs: r,
    difference: l - r,
    allowed,
    excess: allowed > 0 ? excess / allowed : excess > 0 ? Infinity : excess < 0 ? -Infinity : 0,
    passes,
  };
}

/** Elements the mask selects, judged; non-finite values are reported, never passed. */
export function compareSides(sides: Sides, rel: Relation, quantifier: Quantifier, tol: Tolerance): WorldOutcome {
  let selected = 0;
  let failing = 0;
  let worst: ElementReport | null = null;
  for (let flat = 0; flat < sides.lhs.length; flat++) {
    if (sides.mask && !sides.mask[flat]) continue;
    selected++;
    const element = judgeElement(sides, flat, rel, tol);
    if (!Number.isFinite(element.lhs) || !Number.isFinite(element.rhs)) {
      const which = Number.isFinite(element.lhs) ? 'rhs' : 'lhs';
      return { outcome: 'error', message: `${which} is ${which === 'lhs' ? element.lhs : element.rhs} at [${element.index.join(',')}]`, worst: element, selected, failing };
    }
    if (!element.passes) failing++;
    const decides = quantifier === 'all' ? worst === null || element.excess > worst.excess : worst === null || element.excess < worst.excess;
    if (decides) worst = element;
  }
  if (selected === 0) return { outcome: 'error', message: 'where selects no element', worst: null, selected, failing };
  const holds = quantifier === 'all' ? failing === 0 : failing < selected;
  return { outcome: holds ? 'holds' : 'refuted', worst, selected, failing };
}

/**
 * The rhs moved just past what the relation allows at every selected element: a check that
 * still holds against it cannot fail (DESIGN §3, the vacuity self-test).
 */
export function perturbRhs(sides: Sides, rel: Relation, tol: Tolerance): Sides {
  const rhs = sides.rhs.slice();
  for (let flat = 0; flat < rhs.length; flat++) {
    if (sides.mask && !sides.mask[flat]) continue;
    const l = sides.lhs[flat];
    const r = sides.rhs[flat];
    // 2× the allowance (and at least the smallest step that changes the number) clears the limit
    const allowed = allowedDifference(tol, sides.scale, l, r, sides.error ? sides.error[flat] : 0);
    const step = 2 * allowed + 4 * Number.EPSILON * Math.max(Math.abs(l), Math.abs(r)) + Number.MIN_VALUE;
    switch (rel) {
      case '==':
        rhs[flat] = r >= l ? r + step : r - step;
        break;
      case '!=':
        rhs[flat] = l;
        break;
      case '<':
      case '<=':
        rhs[flat] = l - step;
        break;
      case '>':
      case '>=':
        rhs[flat] = l + step;
        break;
    }
  }
  return { ...sides, rhs };
}
