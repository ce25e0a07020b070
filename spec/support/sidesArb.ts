import fc from 'fast-check';
import { type Sides } from '../../src/claim/sides';
import type { Tolerance } from '../../src/claim/tolerances';

// Generated sides for the judging specs (flipOutcome, blockOutcome): every layout (dense or
// sparse, one or two indices, float32 or float64), masks, kinks and estimates, values at the
// edges of the doubles and rhs equal or close to the lhs, where relations are decided.

export const specialValue = fc.constantFrom(
  0, -0, 1, -1, 0.1, -2.5, 1 + Number.EPSILON, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, 1e-300, 1.4e-45, 1e-30, 1e-8,
  1e8, 1e30, 3.4e38, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, NaN, Infinity, -Infinity,
);
const value = fc.oneof({ arbitrary: specialValue, weight: 3 }, { arbitrary: fc.double({ min: -10, max: 10, noNaN: true }), weight: 3 }, { arbitrary: fc.double(), weight: 1 });
/** The rhs of an element: its own value, or one equal or close to the lhs (where relations are decided). */
const rhsOf = fc.oneof(
  value.map((v) => () => v),
  fc.constant((l: number) => l),
  fc.double({ min: -1e-6, max: 1e-6, noNaN: true }).map((d) => (l: number) => l * (1 + d)),
  fc.double({ min: -1e-7, max: 1e-7, noNaN: true }).map((d) => (l: number) => l + d),
);
const estimateValue = (signed: boolean) =>
  fc.oneof(
    fc.constantFrom(0, Number.MIN_VALUE, 1e-12, 1e-8, 1e-3, 0.5, 1, 1e300, Infinity, NaN),
    fc.double({ min: signed ? -1 : 0, max: 2, noNaN: true }),
  );
const element = (signed: boolean) => fc.record({ lhs: value, rhs: rhsOf, selected: fc.nat({ max: 5 }), kink: fc.nat({ max: 5 }), error: estimateValue(signed) });

const scale = fc.oneof(fc.constantFrom(0, 1, 1e-6, 1e6, 1e300), fc.double({ min: 0, max: 100, noNaN: true }));
const rtols = [0, 1e-7, 1e-3, 0.25, 0.4999999999, 0.5, 0.5000000001, 0.75, 1, 1.5, 2, 1e10];
const atols = [0, 1e-8, 1e-3, 1, 1e300, Infinity];
export const tolerance: fc.Arbitrary<Tolerance> = fc.record({
  rtol: fc.oneof(fc.constantFrom(...rtols), fc.double({ min: 0, max: 3, noNaN: true })),
  atol: fc.oneof(fc.constantFrom(...atols), fc.double({ min: 0, max: 1, noNaN: true })),
});
/** Negative tolerances and estimates too (nonsense, but flipOutcome must still agree). */
export const signedTolerance: fc.Arbitrary<Tolerance> = fc.record({
  rtol: fc.oneof(fc.constantFrom(...rtols, -0.25, -1), fc.double({ min: -1, max: 3, noNaN: true })),
  atol: fc.oneof(fc.constantFrom(...atols, -1e-8, -1), fc.double({ min: -1, max: 1, noNaN: true })),
});

export function sidesArb(signed: boolean, maxLength: number): fc.Arbitrary<Sides> {
  return fc
    .record({
      elements: fc.array(element(signed), { maxLength }),
      float32: fc.boolean(),
      mask: fc.boolean(),
      kink: fc.constantFrom('absent', 'null', 'array'),
      error: fc.boolean(),
      // sparse sides: the gaps between stored positions; dense without
      gaps: fc.option(fc.array(fc.nat({ max: 3 }), { minLength: maxLength, maxLength }), { nil: null }),
      twoD: fc.boolean(),
      scale,
    })
    .map(({ elements, float32, mask, kink, error, gaps, twoD, scale }) => {
      const n = elements.length;
      const Side = float32 ? Float32Array : Float64Array;
      let at: Int32Array | null = null;
      let count = n;
      if (gaps) {
        at = new Int32Array(n);
        for (let i = 0, p = -1; i < n; i++) at[i] = p += gaps[i] + 1;
        count = (n > 0 ? at[n - 1] + 1 : 0) + gaps[0];
      }
      const sizes = twoD ? [2, Math.ceil(count / 2)] : [count];
      const sides: Sides = {
        vars: twoD ? ['i', 'j'] : ['i'],
        sizes,
        lhs: Side.from(elements.map((e) => e.lhs)),
        rhs: Side.from(elements.map((e) => e.rhs(e.lhs))),
        error: error ? Float64Array.from(elements.map((e) => e.error)) : null,
        mask: mask ? Uint8Array.from(elements.map((e) => (e.selected > 0 ? 1 : 0))) : null,
        scale,
        ...(at ? { at } : {}),
        ...(kink === 'absent' ? {} : { kink: kink === 'null' ? null : Uint8Array.from(elements.map((e) => (e.kink === 0 ? 1 : 0))) }),
      };
      return sides;
    });
}

