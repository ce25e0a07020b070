import type { Expr } from '../formula/ast';
import type { Optimizer } from '../scenario/schema';
import type { SideValues } from './sides';

// A claim whose lhs is next(P)[…] is judged on the step: next(P) − P against rhs − P. An
// optimizer step is small next to P (a nearly converged network moves W ≈ 2.5 by 1e-4), so a
// tolerance relative to next(P) itself would pass a wrong step many times the float32 spacing of
// P; on the step, the tolerance scales with the step, and the rounding of P in the world's
// precision is allowed per element as a floor.

/** The parameter P when the claim's lhs is next(P)[…], else null. */
export function stepOf(lhs: Expr): string | null {
  if (lhs.kind !== 'index' || lhs.base.kind !== 'call' || lhs.base.name !== 'next') return null;
  const target = lhs.base.args[0];
  return target?.kind === 'symbol' ? target.name : null;
}

/**
 * Spacings of P allowed per optimizer step. A step rounds next(P) to the world's precision once
 * (half a spacing) and an rhs written as P − … is rounded once more, so a true claim is off by
 * at most one spacing per step beyond what the step's own tolerance covers (over the shipped
 * next(P) claims that hold, at most 0.08 in float32: `npm run measure:tolerances`). Two leave a
 * margin and still refute a wrong step of 7e-6 on |W| ≈ 2.5, where one spacing is 2.4e-7.
 */
export const FLOOR_ULPS = 2;

/** Bits of the significand after the leading one, per precision. */
const FRACTION_BITS = { float32: 23, float64: 52 } as const;
/** The smallest positive number of each precision (its spacing at 0). */
const SMALLEST = { float32: 2 ** -149, float64: Number.MIN_VALUE } as const;

export type Precision = keyof typeof FRACTION_BITS;

/** The spacing of numbers of `precision` at |m|: the unit in the last place. */
export function ulpOf(m: number, precision: Precision): number {
  const a = Math.abs(m);
  if (!Number.isFinite(a)) return NaN;
  if (a === 0) return SMALLEST[precision];
  let exponent = Math.floor(Math.log2(a));
  // log2 may round across a power of two
  if (2 ** exponent > a) exponent--;
  else if (2 ** (exponent + 1) <= a) exponent++;
  return Math.max(2 ** (exponent - FRACTION_BITS[precision]), SMALLEST[precision]);
}

/** One side read as values (the other fields of a Reader's result ride along untouched). */
interface Read {
  data: SideValues;
  error: Float64Array | null;
  kink?: Uint8Array;
  oneSided?: { forward: SideValues; backward: SideValues };
}

export interface StepSides<R extends Read> {
  lhs: R;
  rhs: R;
  /** per element: FLOOR_ULPS spacings of P in the world's precision per step */
  floor: Float64Array;
}

function minus(values: SideValues, p: SideValues): Float64Array {
  // float32 and float64 numbers alike subtract exactly enough in float64: the difference of two
  // float32 numbers is exact there
  const out = new Float64Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = values[i] - p[i];
  return out;
}

/**
 * Both sides of a next(P) claim as steps: each minus P (read at the lhs's elements), with the
 * floor the rounding of P allows. `steps` is the optimizer's: P is rounded once per step.
 */
export function onTheStep<R extends Read>(lhs: R, rhs: R, p: SideValues, precision: Precision, optimizer: Pick<Optimizer, 'steps'>): StepSides<R> {
  const step = (side: R): R => ({
    ...side,
    data: minus(side.data, p),
    ...(side.oneSided ? { oneSided: { forward: minus(side.oneSided.forward, p), backward: minus(side.oneSided.backward, p) } } : {}),
  });
  const floor = new Float64Array(p.length);
  for (let i = 0; i < floor.length; i++) floor[i] = FLOOR_ULPS * optimizer.steps * ulpOf(Math.max(Math.abs(p[i]), Math.abs(lhs.data[i]), Math.abs(rhs.data[i])), precision);
  return { lhs: step(lhs), rhs: step(rhs), floor };
}
