import fc from 'fast-check';
import { excessOf, movedAcross, passes, RELATIONS, type Relation } from '../../src/claim/relations';

// The relation table holds numbers, not functions (so that the judging loop calls nothing per
// element). Its fields must give, bit for bit, what each relation says in words.

const SEED = 20261206;

/** Each relation written out: whether it passes, its signed excess, its self-test's moved rhs. */
const WRITTEN: Record<Relation, { passes: (l: number, r: number, a: number) => boolean; excess: (l: number, r: number, a: number) => number; moved: (l: number, r: number, s: number) => number }> = {
  '==': { passes: (l, r, a) => Math.abs(l - r) <= a, excess: (l, r, a) => Math.abs(l - r) - a, moved: (l, r, s) => (r >= l ? r + s : r - s) },
  '!=': { passes: (l, r, a) => Math.abs(l - r) > a, excess: (l, r, a) => a - Math.abs(l - r), moved: (l) => l },
  '<': { passes: (l, r, a) => l < r - a, excess: (l, r, a) => l - (r - a), moved: (l, _r, s) => l - s },
  '<=': { passes: (l, r, a) => l <= r + a, excess: (l, r, a) => l - (r + a), moved: (l, _r, s) => l - s },
  '>': { passes: (l, r, a) => l > r + a, excess: (l, r, a) => r + a - l, moved: (l, _r, s) => l + s },
  '>=': { passes: (l, r, a) => l >= r - a, excess: (l, r, a) => r - a - l, moved: (l, _r, s) => l + s },
};

const finite = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 1e-300, Number.MIN_VALUE, 1 + Number.EPSILON, 1e300, -1e300),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

describe('the relation table', () => {
  it.each(Object.keys(WRITTEN) as Relation[])('%s: the fields give the written relation bit for bit', (rel) => {
    const rule = RELATIONS[rel];
    const written = WRITTEN[rel];
    fc.assert(
      fc.property(finite, fc.oneof(finite, fc.constant(null)), fc.double({ min: 0, max: 1e3, noNaN: true }), (l, near, a) => {
        // an rhs of its own, or one within a few allowances of the lhs (where relations are decided)
        const r = near ?? l + a * 0.75;
        expect(Object.is(excessOf(rule, l, r, a), written.excess(l, r, a)) || excessOf(rule, l, r, a) === written.excess(l, r, a)).toBe(true);
        expect(passes(rule, l, r, a)).toBe(written.passes(l, r, a));
        expect(movedAcross(rule, l, r, a)).toBe(written.moved(l, r, a));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('fails where it should: an entry with a field changed no longer matches its relation', () => {
    // the check above can fail: '<' read as '<=' differs at the limit itself
    const lax = { ...RELATIONS['<'], strict: false };
    expect(passes(lax, 1, 2, 1)).toBe(true);
    expect(WRITTEN['<'].passes(1, 2, 1)).toBe(false);
  });
});
