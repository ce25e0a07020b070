/** A dense row-major float64 tensor: the reference world's only data type. */
export interface Tensor64 {
  shape: number[];
  data: Float64Array;
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

export function cloneTensor64(t: Tensor64): Tensor64 {
  return { shape: [...t.shape], data: t.data.slice() };
}

export function maxAbs(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const v = Math.abs(data[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}
