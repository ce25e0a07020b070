import { judgeSides, type Tally } from './judge';
import type { Quantifier, Relation } from './relations';
import type { Sides } from './sides';
import type { Tolerance } from './tolerances';

// The vacuity self-test's pass over a claim's sides (DESIGN §3): judgeSides with every rhs moved
// just past what the relation allows. Under `all` the first failing element settles it unless a
// later element is not finite (then it is an error), and an element of bounded numbers cannot be:
// with 0 ≤ rtol < ½ one step of judge.ts movedRhs clears the allowance (which grows by less than
// half the step), so the moved rhs of an element whose lhs, rhs, estimate and absolute allowance
// are at most SETTLED_MAGNITUDE (the last three at least 0) is finite, 2^60 times short of the
// largest double, and so is its allowance. Those elements are passed over unjudged: the tally
// counts fewer elements than the whole pass, its outcome is the same.

export const SETTLED_MAGNITUDE = 1e290;

/** The elements [from, to) of `sides`, as sides of their own (views, no copy). */
function range(sides: Sides, from: number, to: number): Sides {
  const view = <T extends { subarray(a: number, b: number): T }>(a: T | null | undefined): T | null => (a ? a.subarray(from, to) : null);
  return { vars: sides.vars, sizes: sides.sizes, lhs: sides.lhs.subarray(from, to), rhs: sides.rhs.subarray(from, to), error: view(sides.error), mask: view(sides.mask), scale: sides.scale, floor: view(sides.floor), kink: view(sides.kink) };
}

/** The first selected element from `from` on that is not at a kink (the sides' length: none). */
function selectedFrom(sides: Sides, from: number): number {
  const { mask } = sides;
  const kink = sides.kink ?? null;
  let at = from;
  while (at < sides.lhs.length && ((mask !== null && !mask[at]) || (kink !== null && kink[at]))) at++;
  return at;
}

/** The first selected element from `from` on, not at a kink, with a number out of SETTLED_MAGNITUDE's bounds. */
function unboundedFrom(sides: Sides, from: number, atol: number): number {
  const { lhs, rhs, mask, error } = sides;
  const kink = sides.kink ?? null;
  const floor = sides.floor ?? null;
  const n = lhs.length;
  if (mask === null && kink === null && floor === null && rhs.length >= n && atol >= 0 && atol <= SETTLED_MAGNITUDE) return unboundedDenseFrom(lhs, rhs, error, from);
  for (let at = selectedFrom(sides, from); at < n; at = selectedFrom(sides, at + 1)) {
    const estimate = error !== null ? error[at] : 0;
    const absolute = floor !== null ? atol + floor[at] : atol;
    const bounded = at < rhs.length && Math.abs(lhs[at]) <= SETTLED_MAGNITUDE && Math.abs(rhs[at]) <= SETTLED_MAGNITUDE && estimate >= 0 && estimate <= SETTLED_MAGNITUDE && absolute >= 0 && absolute <= SETTLED_MAGNITUDE;
    if (!bounded) return at;
  }
  return n;
}

/** unboundedFrom where every element is selected, none is at a kink and the absolute allowance is the bounded `atol`. */
function unboundedDenseFrom(lhs: Sides['lhs'], rhs: Sides['rhs'], error: Float64Array | null, from: number): number {
  const n = lhs.length;
  if (error === null) {
    for (let at = from; at < n; at++) if (!(Math.abs(lhs[at]) <= SETTLED_MAGNITUDE && Math.abs(rhs[at]) <= SETTLED_MAGNITUDE)) return at;
    return n;
  }
  for (let at = from; at < n; at++) {
    const estimate = error[at];
    if (!(Math.abs(lhs[at]) <= SETTLED_MAGNITUDE && Math.abs(rhs[at]) <= SETTLED_MAGNITUDE && estimate >= 0 && estimate <= SETTLED_MAGNITUDE)) return at;
  }
  return n;
}

/** The self-test's tally over `sides`: the outcome of the whole pass, settled early where it can be (see the file's head). */
export function selfTestTally(sides: Sides, rel: Relation, quantifier: Quantifier, tol: Tolerance): Tally {
  const whole = () => judgeSides(sides, rel, quantifier, tol, { movedRhs: true });
  if (quantifier !== 'all' || !(tol.rtol >= 0 && tol.rtol < 0.5)) return whole();
  const first = selectedFrom(sides, 0);
  if (first === sides.lhs.length) return whole();
  const tally = judgeSides(range(sides, 0, first + 1), rel, quantifier, tol, { movedRhs: true });
  if (tally.failing === 0 || tally.notFinite >= 0) return whole();
  const atol = tol.atol * sides.scale;
  for (let at = unboundedFrom(sides, first + 1, atol); at < sides.lhs.length; at = unboundedFrom(sides, at + 1, atol)) {
    const one = judgeSides(range(sides, at, at + 1), rel, quantifier, tol, { movedRhs: true });
    if (one.notFinite >= 0) return { ...tally, notFinite: at, notFiniteWhat: one.notFiniteWhat };
  }
  return tally;
}
