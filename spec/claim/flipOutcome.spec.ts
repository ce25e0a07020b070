import fc from 'fast-check';
import { compareSides, flipOutcome, type Outcome } from '../../src/claim/compare';
import { perturbRhs } from '../support/perturbRhs';
import { sidesArb, signedTolerance, tolerance } from '../support/sidesArb';
import { type Quantifier, type Relation } from '../../src/claim/relations';
import { type Sides } from '../../src/claim/sides';
import type { Tolerance } from '../../src/claim/tolerances';

// flipOutcome is the vacuity self-test without the moved rhs in memory: it must answer exactly
// what compareSides answers about perturbRhs's sides, for every input.

const SEED = 20250317; // fixed, so a failure reproduces; fast-check prints the counterexample
const RELATIONS: Relation[] = ['==', '!=', '<', '<=', '>', '>='];
const QUANTIFIERS: Quantifier[] = ['all', 'any'];

/** The outcome flipOutcome must give: the moved rhs materialised, then judged. */
const materialised = (sides: Sides, rel: Relation, quantifier: Quantifier, tol: Tolerance): Outcome => compareSides(perturbRhs(sides, rel, tol), rel, quantifier, tol).outcome;

/** Dense float64 sides over one index, everything selected, no estimate. */
function dense(lhs: number[], rhs: number[], extra: Partial<Sides> = {}): Sides {
  return { vars: ['i'], sizes: [lhs.length], lhs: Float64Array.from(lhs), rhs: Float64Array.from(rhs), error: null, mask: null, scale: 1, ...extra };
}

describe('flipOutcome', () => {
  it('is compareSides(perturbRhs(sides)).outcome for every relation, quantifier, layout and tolerance', () => {
    const seen: Record<Outcome, number> = { holds: 0, refuted: 0, error: 0, 'at-kink': 0 };
    fc.assert(
      fc.property(sidesArb(false, 8), fc.constantFrom(...RELATIONS), fc.constantFrom(...QUANTIFIERS), tolerance, (sides, rel, quantifier, tol) => {
        const flip = flipOutcome(sides, rel, quantifier, tol);
        seen[flip]++;
        expect(flip).toBe(materialised(sides, rel, quantifier, tol));
      }),
      { numRuns: 6000, seed: SEED },
    );
    // the generator reaches both outcomes a flip can have, often
    expect(seen.refuted).toBeGreaterThan(600);
    expect(seen.error).toBeGreaterThan(600);
  });

  it('agrees on sides of finite, nearly equal numbers (where the allowance decides)', () => {
    const close = fc
      .record({
        lhs: fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 24 }),
        ulps: fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 24, maxLength: 24 }),
        float32: fc.boolean(),
        error: fc.option(fc.array(fc.constantFrom(0, 1e-16, 1e-9, 1e-7, 1e-3), { minLength: 24, maxLength: 24 }), { nil: null }),
        mask: fc.option(fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }), { nil: null }),
      })
      .map(({ lhs, ulps, float32, error, mask }): Sides => {
        const Side = float32 ? Float32Array : Float64Array;
        const l = Side.from(lhs);
        const r = Side.from(lhs.map((v, i) => v + ulps[i] * Math.abs(v) * (float32 ? 2 ** -23 : Number.EPSILON)));
        return { vars: ['i'], sizes: [lhs.length], lhs: l, rhs: r, error: error ? Float64Array.from(lhs.map((_, i) => error[i])) : null, mask: mask ? Uint8Array.from(lhs.map((_, i) => +mask[i])) : null, scale: 1 };
      });
    fc.assert(
      fc.property(close, fc.constantFrom(...RELATIONS), fc.constantFrom(...QUANTIFIERS), tolerance, (sides, rel, quantifier, tol) => {
        expect(flipOutcome(sides, rel, quantifier, tol)).toBe(materialised(sides, rel, quantifier, tol));
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it('agrees with negative tolerances and estimates too (the estimate then decides moved elements)', () => {
    // '!=' is left out: with a negative allowance perturbRhs never stops moving its rhs (which stays the lhs)
    fc.assert(
      fc.property(sidesArb(true, 8), fc.constantFrom<Relation>('==', '<', '<=', '>', '>='), fc.constantFrom(...QUANTIFIERS), signedTolerance, (sides, rel, quantifier, tol) => {
        expect(flipOutcome(sides, rel, quantifier, tol)).toBe(materialised(sides, rel, quantifier, tol));
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it('never holds: every selected element is moved to fail, or to an error', () => {
    fc.assert(
      fc.property(sidesArb(false, 8), fc.constantFrom(...RELATIONS), fc.constantFrom(...QUANTIFIERS), tolerance, (sides, rel, quantifier, tol) => {
        expect(flipOutcome(sides, rel, quantifier, tol)).not.toBe('holds');
      }),
      { numRuns: 2000, seed: SEED + 1 },
    );
  });

  describe('hand-written flips', () => {
    const exact: Tolerance = { rtol: 0, atol: 0 };

    it('refutes a claim that holds, for every relation and quantifier', () => {
      const holding: Record<Relation, [number[], number[]]> = {
        '==': [[1, -2, 0], [1, -2, 0]],
        '!=': [[1, -2, 0], [2, 3, 1]],
        '<': [[1, -2, 0], [2, 3, 1]],
        '<=': [[1, -2, 0], [1, 3, 0]],
        '>': [[2, 3, 1], [1, -2, 0]],
        '>=': [[1, 3, 0], [1, -2, 0]],
      };
      for (const rel of RELATIONS) {
        const sides = dense(...holding[rel]);
        for (const quantifier of QUANTIFIERS) {
          expect(compareSides(sides, rel, quantifier, exact).outcome).toBe('holds');
          expect(flipOutcome(sides, rel, quantifier, exact)).toBe('refuted');
          expect(materialised(sides, rel, quantifier, exact)).toBe('refuted');
        }
      }
    });

    it('judges float32 sides against the float64 moved rhs, never rounded back to float32', () => {
      // 1 moved by 4ε stays 1 in float32: a rounded rhs would leave '==' holding
      const sides: Sides = { vars: ['i'], sizes: [1], lhs: Float32Array.of(1), rhs: Float32Array.of(1), error: null, mask: null, scale: 1 };
      const moved = perturbRhs(sides, '==', exact).rhs;
      expect(moved).toBeInstanceOf(Float64Array);
      expect(moved[0]).not.toBe(1);
      expect(compareSides({ ...sides, rhs: Float32Array.from(moved) }, '==', 'all', exact).outcome).toBe('holds');
      expect(flipOutcome(sides, '==', 'all', exact)).toBe('refuted');
    });

    it('keeps doubling the step while rtol ≥ ½ makes the allowance grow with the moved rhs', () => {
      // rtol ¾: one step moves rhs 1 to 2.5, which still passes (|1 − 2.5| ≤ ¾·2.5); the doubled step, just past 4, fails
      const sides = dense([1], [1]);
      const tol = { rtol: 0.75, atol: 0 };
      expect(compareSides(dense([1], [2.5 + 1e-15]), '==', 'all', tol).outcome).toBe('holds');
      expect(perturbRhs(sides, '==', tol).rhs[0]).toBeGreaterThan(4);
      expect(flipOutcome(sides, '==', 'all', tol)).toBe('refuted');
      expect(flipOutcome(sides, '<=', 'any', tol)).toBe('refuted');
    });

    it('is an error where no finite rhs can fail: rtol 1 under ==', () => {
      const sides = dense([1, 2], [1, 2]);
      const tol = { rtol: 1, atol: 0 };
      expect(perturbRhs(sides, '==', tol).rhs[0]).toBe(Infinity);
      expect(flipOutcome(sides, '==', 'all', tol)).toBe('error');
      expect(flipOutcome(sides, '==', 'any', tol)).toBe('error');
      expect(materialised(sides, '==', 'all', tol)).toBe('error');
    });

    it('is an error at a non-finite selected side, unless the mask or a kink leaves it out', () => {
      const sides = dense([NaN, 1], [1, 1]);
      expect(flipOutcome(sides, '==', 'all', exact)).toBe('error');
      expect(flipOutcome(sides, '>=', 'any', exact)).toBe('error');
      expect(flipOutcome({ ...sides, mask: Uint8Array.of(0, 1) }, '==', 'all', exact)).toBe('refuted');
      // perturbRhs moves the kink's rhs too (to NaN here), but compareSides never reads it
      expect(perturbRhs({ ...sides, kink: Uint8Array.of(1, 0) }, '==', exact).rhs[0]).toBeNaN();
      expect(flipOutcome({ ...sides, kink: Uint8Array.of(1, 0) }, '==', 'all', exact)).toBe('refuted');
      // an infinite lhs too
      expect(flipOutcome(dense([Infinity], [1]), '<', 'all', exact)).toBe('error');
    });

    it('is an error where the allowance is not finite', () => {
      expect(flipOutcome(dense([1], [1], { error: Float64Array.of(Infinity) }), '!=', 'all', exact)).toBe('error');
      expect(flipOutcome(dense([1], [1]), '<', 'all', { rtol: 0, atol: Infinity })).toBe('error');
      expect(flipOutcome(dense([1], [1], { error: Float64Array.of(NaN) }), '>', 'all', exact)).toBe('error');
    });

    it('is an error where nothing is selected (no element, an empty mask), at-kink where only kinks are', () => {
      expect(flipOutcome(dense([], []), '==', 'all', exact)).toBe('error');
      expect(flipOutcome(dense([1, 2], [1, 2], { mask: Uint8Array.of(0, 0) }), '==', 'any', exact)).toBe('error');
      expect(flipOutcome(dense([1, 2], [1, 2], { kink: Uint8Array.of(1, 1) }), '==', 'all', exact)).toBe('at-kink');
      expect(flipOutcome(dense([1, 2], [1, 2], { kink: Uint8Array.of(1, 0) }), '==', 'all', exact)).toBe('refuted');
    });

    it('is an error when the outcome rests on elements the estimate decides (a negative tolerance)', () => {
      // tolerance −1, estimate 1.2: rhs 0 moves to −0.4, which fails '<' with the estimate (0 < −0.6) and passes without it (0 < 0.6)
      const sides = dense([0], [0], { error: Float64Array.of(1.2) });
      const tol = { rtol: 0, atol: -1 };
      expect(materialised(sides, '<', 'all', tol)).toBe('error');
      expect(flipOutcome(sides, '<', 'all', tol)).toBe('error');
      // beside a judged element (estimate 2: rhs 0 moves to −2, failing either way) only 'any' rests on it
      const two = dense([0, 0], [0, 0], { error: Float64Array.of(1.2, 2) });
      expect(flipOutcome(two, '<', 'all', tol)).toBe('refuted');
      expect(flipOutcome(two, '<', 'any', tol)).toBe('error');
      expect(materialised(two, '<', 'any', tol)).toBe('error');
    });

    it('reads sparse sides by position, whatever their flat positions', () => {
      const sides = dense([1, NaN, 3], [1, 2, 3], { sizes: [4, 5], at: Int32Array.of(2, 7, 19), mask: Uint8Array.of(1, 0, 1) });
      for (const rel of RELATIONS) expect(flipOutcome(sides, rel, 'all', exact)).toBe('refuted');
      expect(flipOutcome({ ...sides, mask: null }, '==', 'all', exact)).toBe('error');
    });
  });

  it('does not materialise the moved rhs', () => {
    // jest's sandbox makes this loop ~100× slower than plain node: a small n, still plainly visible
    const n = 100_000; // a Float64Array of the moved rhs would be 800 kB
    const lhs = new Float32Array(n).fill(1);
    const sides: Sides = { vars: ['i'], sizes: [n], lhs, rhs: lhs, error: null, mask: null, scale: 1 };
    flipOutcome(sides, '==', 'all', { rtol: 1e-5, atol: 1e-6 }); // warm up
    const before = process.memoryUsage().arrayBuffers;
    expect(flipOutcome(sides, '==', 'all', { rtol: 1e-5, atol: 1e-6 })).toBe('refuted');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * n);
  });
});
