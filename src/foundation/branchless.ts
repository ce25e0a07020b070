// Choices between two numbers without a branch. Where the choice changes from one element to
// the next without a pattern (|lhs| against |rhs| in the judging loop, the sign of a relu's or a
// logistic's input), a branch on it is mispredicted half the time, and that costs more than the
// rest of the work on an element: `c ? a : b` and Math.max compile to such a branch. These pick
// by an index instead, and give the same numbers.

const CHOICE = new Float64Array(2);

/** `condition ? yes : no`, both already computed, without a branch. */
export function pick(condition: boolean, yes: number, no: number): number {
  CHOICE[0] = no;
  CHOICE[1] = yes;
  return CHOICE[+condition];
}

/** Math.max of two magnitudes (NaN if either is NaN; never −0, which it would not order), without a branch. */
export function larger(a: number, b: number): number {
  CHOICE[0] = a;
  CHOICE[1] = b;
  return CHOICE[+(b > a) | +(b !== b)];
}
