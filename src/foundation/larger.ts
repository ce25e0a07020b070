// Math.max of two magnitudes, without a branch. Where which one is larger changes from one
// element to the next without a pattern (|lhs| against |rhs| in the judging loop), a branch on it
// is mispredicted half the time, and that cost more than the rest of the loop's work on an
// element; Math.max compiles to such a branch. This picks by an index instead.

const PICK = new Float64Array(2);

/** Math.max(a, b) for magnitudes: NaN if either is NaN; never −0, which it would not order. */
export function larger(a: number, b: number): number {
  PICK[0] = a;
  PICK[1] = b;
  return PICK[+(b > a) | +(b !== b)];
}
