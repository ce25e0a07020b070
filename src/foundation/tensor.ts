/**
 * Numbers the reference reads: float64, or a trial's weights as drawn (float32 numbers, kept in a
 * Float32Array: half the memory, the same values). Whatever the reference computes is float64.
 */
export type Floats = Float64Array | Float32Array;

/** A dense row-major tensor of the reference world: float64 numbers (a trial's weights: float32 storage). */
export interface Tensor64 {
  shape: number[];
  data: Floats;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function tensor64(shape: number[], data?: Float64Array | number[]): Tensor64 {
  const n = sizeOf(shape);
  const buffer = data === undefined ? new Float64Array(n) : Float64Array.from(data);
  if (buffer.length !== n) throw new Error(`tensor64: ${buffer.length} values for shape [${shape.join(',')}]`);
  return { shape: [...shape], data: buffer };
}

export function maxAbs(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const v = Math.abs(data[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/** The largest finite |v| (0 when none is): a scale that one non-finite element must not make NaN or ∞. */
export function maxAbsFinite(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) if (Number.isFinite(data[i])) m = Math.max(m, Math.abs(data[i]));
  return m;
}
