import fc from 'fast-check';
import { larger, pick } from '../../src/foundation/branchless';
import { ELEMENTWISE } from '../../src/formula/functions';
import { sideOf } from '../../src/reference/kinks';

// Choices made by an index instead of a branch (src/foundation/branchless.ts), and the functions
// that use them: each must give the number the branch gives, for every input, NaN, ±0 and
// infinities included (Object.is tells −0 from 0 and matches NaN).

const SEED = 20261206;
const RUNS = 20000;
const anyDouble = fc.double({ noDefaultInfinity: false, noNaN: false });
const same = (got: number, want: number) => Object.is(got, want);

describe('pick and larger', () => {
  it('pick is the conditional, bit for bit', () => {
    fc.assert(
      fc.property(fc.boolean(), anyDouble, anyDouble, (c, yes, no) => same(pick(c, yes, no), c ? yes : no)),
      { seed: SEED, numRuns: RUNS },
    );
  });

  const magnitude = anyDouble.map(Math.abs);

  it('larger is Math.max of any two magnitudes, bit for bit', () => {
    fc.assert(
      fc.property(magnitude, magnitude, (a, b) => same(larger(a, b), Math.max(a, b))),
      { seed: SEED, numRuns: RUNS },
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
  ])('larger at the edges: (%p, %p)', (a, b) => {
    expect(same(larger(a, b), Math.max(a, b))).toBe(true);
    expect(same(larger(b, a), Math.max(b, a))).toBe(true);
  });
});

describe('functions that choose without a branch give what the branch gives', () => {
  // each written out with its branch
  const written: [string, (z: number) => number, (z: number) => number][] = [
    ['relu', (z) => ELEMENTWISE.relu.value(z), (z) => (z > 0 ? z : 0)],
    ["relu's slope", (z) => ELEMENTWISE.relu.slope(z), (z) => (z > 0 ? 1 : 0)],
    ['step', (z) => ELEMENTWISE.step.value(z), (z) => (z > 0 ? 1 : 0)],
    ['sigmoid', (z) => ELEMENTWISE.sigmoid.value(z), (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)))],
    ['the side of a kink', sideOf, (z) => (z > 0 ? 1 : z < 0 ? -1 : 0)],
  ];
  const edges = [0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, 1e-310, -1e-310, 709.8, -709.8, 745.2, -745.2, 40, -40];

  // two arguments: both orders of every pair of edges, and random pairs
  const writtenPairs: [string, (a: number, b: number) => number, (a: number, b: number) => number][] = [
    ['max', (a, b) => ELEMENTWISE.max.value(a, b), (a, b) => (a >= b ? a : b)],
    ['min', (a, b) => ELEMENTWISE.min.value(a, b), (a, b) => (a <= b ? a : b)],
    ["max's slope in a", (a, b) => ELEMENTWISE.max.slope(a, b, 0), (a, b) => (a >= b ? 1 : 0)],
    ["max's slope in b", (a, b) => ELEMENTWISE.max.slope(a, b, 1), (a, b) => (a >= b ? 0 : 1)],
    ["min's slope in a", (a, b) => ELEMENTWISE.min.slope(a, b, 0), (a, b) => (a <= b ? 1 : 0)],
    ["min's slope in b", (a, b) => ELEMENTWISE.min.slope(a, b, 1), (a, b) => (a <= b ? 0 : 1)],
  ];

  it.each(writtenPairs)('%s', (_name, got, want) => {
    for (const a of edges) for (const b of edges) expect([a, b, got(a, b)]).toEqual([a, b, want(a, b)]);
    fc.assert(
      fc.property(anyDouble, anyDouble, (a, b) => same(got(a, b), want(a, b))),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it.each(written)('%s', (_name, got, want) => {
    for (const z of edges) expect([z, got(z)]).toEqual([z, want(z)]);
    fc.assert(
      fc.property(anyDouble, (z) => same(got(z), want(z))),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
