import fc from 'fast-check';
import { judgeSides, outcomeOf } from '../../src/claim/judge';
import type { Quantifier, Relation } from '../../src/claim/relations';
import { selfTestTally, SETTLED_MAGNITUDE } from '../../src/claim/selfTest';
import type { Sides } from '../../src/claim/sides';
import { sidesArb, signedTolerance, tolerance } from '../support/sidesArb';

// The self-test settled early: the outcome of the whole moved pass, for every input, while under
// `all` it judges the elements after the first failing one only where they could be not finite.

const SEED = 20261206;
const RELATIONS: Relation[] = ['==', '!=', '<', '<=', '>', '>='];
const QUANTIFIERS: Quantifier[] = ['all', 'any'];

const wholeOutcome = (sides: Sides, rel: Relation, quantifier: Quantifier, tol: { rtol: number; atol: number }) => outcomeOf(judgeSides(sides, rel, quantifier, tol, { movedRhs: true }), quantifier);

function dense(lhs: number[], rhs: number[], extra: Partial<Sides> = {}): Sides {
  return { vars: ['i'], sizes: [lhs.length], lhs: Float64Array.from(lhs), rhs: Float64Array.from(rhs), error: null, mask: null, scale: 1, ...extra };
}

describe('selfTestTally', () => {
  it('gives the outcome of the whole moved pass for every relation, quantifier, layout and tolerance', () => {
    fc.assert(
      fc.property(sidesArb(false, 30), fc.constantFrom(...RELATIONS), fc.constantFrom(...QUANTIFIERS), tolerance, (sides, rel, quantifier, tol) => {
        expect(outcomeOf(selfTestTally(sides, rel, quantifier, tol), quantifier)).toBe(wholeOutcome(sides, rel, quantifier, tol));
      }),
      { numRuns: 6000, seed: SEED },
    );
  });

  it('gives it with negative tolerances and estimates too', () => {
    fc.assert(
      fc.property(sidesArb(true, 30), fc.constantFrom(...RELATIONS), fc.constantFrom(...QUANTIFIERS), signedTolerance, (sides, rel, quantifier, tol) => {
        expect(outcomeOf(selfTestTally(sides, rel, quantifier, tol), quantifier)).toBe(wholeOutcome(sides, rel, quantifier, tol));
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it('gives it with floors and with an rhs shorter than the lhs', () => {
    const floorValue = fc.oneof(fc.constantFrom(0, 1e-12, 1, 1e290, 1e300, -1, Infinity, NaN), fc.double({ min: 0, max: 2, noNaN: true }));
    const withFloorAndShortRhs = fc
      .tuple(sidesArb(false, 30), fc.array(floorValue, { minLength: 60, maxLength: 60 }), fc.boolean(), fc.nat({ max: 4 }))
      .map(([sides, floors, floored, cut]): Sides => {
        const n = sides.lhs.length;
        const rhs = cut > 0 && n > 0 ? sides.rhs.subarray(0, Math.max(0, n - cut)) : sides.rhs;
        return { ...sides, rhs, floor: floored ? Float64Array.from({ length: n }, (_, i) => floors[i % floors.length]) : null };
      });
    fc.assert(
      fc.property(withFloorAndShortRhs, fc.constantFrom(...RELATIONS), tolerance, (sides, rel, tol) => {
        expect(outcomeOf(selfTestTally(sides, rel, 'all', tol), 'all')).toBe(wholeOutcome(sides, rel, 'all', tol));
      }),
      { numRuns: 4000, seed: SEED },
    );
  });

  it('judges only the first element of bounded sides under all', () => {
    const n = 1000;
    const lhs = Array.from({ length: n }, (_, i) => Math.sin(i));
    for (const rel of RELATIONS) {
      const tally = selfTestTally(dense(lhs, lhs), rel, 'all', { rtol: 1e-7, atol: 1e-9 });
      expect([rel, tally.selected, tally.failing, outcomeOf(tally, 'all')]).toEqual([rel, 1, 1, 'refuted']);
    }
    // under any, with rtol ≥ ½, or where the first element does not fail: the whole pass
    expect(selfTestTally(dense(lhs, lhs), '==', 'any', { rtol: 1e-7, atol: 1e-9 }).selected).toBe(n);
    expect(selfTestTally(dense(lhs, lhs), '==', 'all', { rtol: 0.5, atol: 1e-9 }).selected).toBe(n);
  });

  it('finds an element past its bounds far after the first failing one: an error, as the whole pass says', () => {
    const n = 500;
    const lhs = Array.from({ length: n }, (_, i) => Math.cos(i));
    for (const [what, value] of [
      ['lhs', Infinity],
      ['lhs', NaN],
      ['rhs', -Infinity],
      ['rhs', 1e308],
      ['lhs', -Number.MAX_VALUE],
      ['error', Infinity],
    ] as const) {
      const l = [...lhs];
      const r = [...lhs];
      const error = new Float64Array(n);
      if (what === 'lhs') l[437] = value;
      if (what === 'rhs') r[437] = value;
      if (what === 'error') error[437] = value;
      const sides = dense(l, r, { error });
      const tol = { rtol: 0.25, atol: 1e-9 };
      const tally = selfTestTally(sides, '==', 'all', tol);
      expect([what, value, outcomeOf(tally, 'all')]).toEqual([what, value, wholeOutcome(sides, '==', 'all', tol)]);
      if (outcomeOf(tally, 'all') === 'error') expect(tally.notFinite).toBe(437);
    }
    // numbers at the bound are passed over, as their moved rhs is finite
    const atBound = dense([...lhs.slice(0, 10), SETTLED_MAGNITUDE], [...lhs.slice(0, 10), -SETTLED_MAGNITUDE]);
    expect(selfTestTally(atBound, '==', 'all', { rtol: 0.4999, atol: 1 }).selected).toBe(1);
    expect(wholeOutcome(atBound, '==', 'all', { rtol: 0.4999, atol: 1 })).toBe('refuted');
  });

  it('passes over masked elements and kinks to the first selected one', () => {
    const lhs = [1, 2, 3, 4, 5, 6];
    const sides = dense(lhs, lhs, { mask: Uint8Array.from([0, 1, 1, 1, 1, 1]), kink: Uint8Array.from([0, 1, 0, 0, 0, 0]) });
    const tally = selfTestTally(sides, '<=', 'all', { rtol: 1e-7, atol: 0 });
    expect([tally.selected, tally.failing, tally.worst]).toEqual([1, 1, 2]);
  });
});
