import { computationOf } from '../scenario/computationOf';
import type { Scenario } from '../scenario/schema';
import { LARGE_TENSOR } from '../reference/world64';
import type { TfTrial } from '../tfjs/worldTf';
import { allowedDifference, type Tolerance } from './tolerances';
import { flatOf, type Sides } from './sides';
import { excessOf, RELATIONS, relativeExcess, type Relation } from './relations';

// Where the reference should look, learnt from the tfjs world. Only places: every value the
// reference reports is its own float64 finite difference at that place.

/**
 * Flat element of largest |∂E/∂P| by tfjs autodiff, for each parameter larger than LARGE_TENSOR:
 * from the trial's own ∂E/∂P (computed once per trial, shared with the tfjs world's claims).
 */
export function largestGradientElements(scenario: Scenario, trial: TfTrial): Map<string, number> {
  const large = computationOf(scenario).parameters.filter((n) => trial.env.get(n)!.size > LARGE_TENSOR);
  if (large.length === 0) return new Map();
  return trial.largestGradientElements(large);
}

/**
 * The `count` elements where the tfjs world's sides are furthest past (or closest to) the
 * relation's limit, in units of their allowance; non-finite ones first.
 */
export function worstElements(sides: Sides, rel: Relation, tol: Tolerance, count: number): number[] {
  const rule = RELATIONS[rel];
  const top: { flat: number; score: number }[] = [];
  // `flat`: position in the sides' arrays (flatOf gives the element's flat position)
  for (let flat = 0; flat < sides.lhs.length; flat++) {
    if (sides.mask && !sides.mask[flat]) continue;
    const l = sides.lhs[flat];
    const r = sides.rhs[flat];
    const allowed = allowedDifference(tol, sides.scale, l, r, 0);
    let score = relativeExcess(excessOf(rule, l, r, allowed), allowed);
    if (!Number.isFinite(score)) score = Infinity;
    if (top.length < count || score > top[top.length - 1].score) {
      let at = top.length < count ? top.length : top.length - 1;
      while (at > 0 && top[at - 1].score < score) at--;
      top.splice(at, 0, { flat: flatOf(sides, flat), score });
      if (top.length > count) top.pop();
    }
  }
  return top.map((t) => t.flat);
}
