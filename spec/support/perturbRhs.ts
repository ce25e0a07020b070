import { movedRhs } from '../../src/claim/judge';
import { RELATIONS, type Relation } from '../../src/claim/relations';
import type { Sides } from '../../src/claim/sides';
import type { Tolerance } from '../../src/claim/tolerances';

/**
 * The rhs moved just past what the relation allows at every selected element, as a new float64
 * array: the materialised form of the vacuity self-test that flipOutcome judges without one
 * (specs compare the two).
 */
export function perturbRhs(sides: Sides, rel: Relation, tol: Tolerance): Sides {
  const rhs = Float64Array.from(sides.rhs);
  const { lhs, mask, error } = sides;
  const atol = tol.atol * sides.scale;
  for (let at = 0; at < rhs.length; at++) {
    if (mask && !mask[at]) continue;
    rhs[at] = movedRhs(RELATIONS[rel], lhs[at], rhs[at], error ? error[at] : 0, atol, tol.rtol);
  }
  return { ...sides, rhs };
}
