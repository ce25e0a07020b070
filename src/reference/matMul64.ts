import type { Floats } from '../foundation/tensor';

// The float64 matrix product every reference computation goes through. Each output element is
// Σ_k a[m,k]·b[k,p] accumulated in k order from 0, exactly as the plain triple loop does, so the
// blocking below changes the speed (4×4 register tiles: 16 products per 8 loads) and not one bit
// of the result.

/** Below this many output columns the tiles do not pay for their packing. */
const TILE_MIN_COLUMNS = 16;

/** out[M,P] = a[M,K] · b[K,P], row-major; `out` must be zero-filled or is overwritten. */
export function matMulInto(a: Floats, b: Floats, out: Float64Array, M: number, K: number, P: number): Float64Array {
  if (P < TILE_MIN_COLUMNS) return plainInto(a, b, out, M, K, P);
  const pack = new Float64Array(4 * K);
  for (let m = 0; m < M; m += 4) {
    const rows = Math.min(4, M - m);
    pack.fill(0);
    for (let i = 0; i < rows; i++) for (let k = 0, src = (m + i) * K; k < K; k++) pack[k * 4 + i] = a[src + k];
    let p = 0;
    for (; p + 4 <= P; p += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0, kb = p, ka = 0; k < K; k++, kb += P, ka += 4) {
        const b0 = b[kb], b1 = b[kb + 1], b2 = b[kb + 2], b3 = b[kb + 3];
        const a0 = pack[ka], a1 = pack[ka + 1], a2 = pack[ka + 2], a3 = pack[ka + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      let o = m * P + p;
      out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03;
      if (rows < 2) continue;
      o += P;
      out[o] = c10; out[o + 1] = c11; out[o + 2] = c12; out[o + 3] = c13;
      if (rows < 3) continue;
      o += P;
      out[o] = c20; out[o + 1] = c21; out[o + 2] = c22; out[o + 3] = c23;
      if (rows < 4) continue;
      o += P;
      out[o] = c30; out[o + 1] = c31; out[o + 2] = c32; out[o + 3] = c33;
    }
    for (; p < P; p++) {
      for (let i = 0; i < rows; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += pack[k * 4 + i] * b[k * P + p];
        out[(m + i) * P + p] = s;
      }
    }
  }
  return out;
}

/** Narrow products: each output a dot product of a row of a with a column of b (b transposed first). */
function plainInto(a: Floats, b: Floats, out: Float64Array, M: number, K: number, P: number): Float64Array {
  const bt = new Float64Array(P * K);
  for (let k = 0; k < K; k++) for (let p = 0; p < P; p++) bt[p * K + k] = b[k * P + p];
  for (let m = 0; m < M; m++) {
    const row = m * K;
    for (let p = 0; p < P; p++) {
      const col = p * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += a[row + k] * bt[col + k];
      out[m * P + p] = s;
    }
  }
  return out;
}

/** a[M,K] · b[K,P] into a new array. */
export function matMulPlain(a: Floats, b: Floats, M: number, K: number, P: number): Float64Array {
  return matMulInto(a, b, new Float64Array(M * P), M, K, P);
}
