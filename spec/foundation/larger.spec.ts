import fc from 'fast-check';
import { larger } from '../../src/foundation/larger';

// larger picks Math.max of two magnitudes by an index instead of a branch (the judging loop's
// |lhs| against |rhs|): it must be Math.max's number for every pair, NaN and Infinity included.

describe('larger', () => {
  const magnitude = fc.double({ noDefaultInfinity: false, noNaN: false }).map(Math.abs);

  it('is Math.max of any two magnitudes, bit for bit', () => {
    fc.assert(
      fc.property(magnitude, magnitude, (a, b) => Object.is(larger(a, b), Math.max(a, b))),
      { seed: 20261206, numRuns: 20000 },
    );
  });

  it.each([
    [0, 0],
    [0, Number.MIN_VALUE],
    [1, 1],
    [Infinity, 1],
    [NaN, 1],
    [1, NaN],
    [NaN, Infinity],
  ])('at the edges: larger(%p, %p)', (a, b) => {
    expect(Object.is(larger(a, b), Math.max(a, b))).toBe(true);
    expect(Object.is(larger(b, a), Math.max(b, a))).toBe(true);
  });
});
