import type { Floats } from '../foundation/tensor';

// The float64 matrix product every reference computation goes through. Each output element is
// Σ_k a[m,k]·b[k,p] accumulated in k order from 0, exactly as the plain triple loop does, so the
// blocking below changes the speed and not one bit of the result: 4×4 register tiles (16 products
// per 8 loads), whose operands are packed so that both are read in order: a's rows ROW_BLOCK at a
// time, b's columns 4 at a time (K×4 numbers, in the first-level cache, where reading b's rows
// with stride P would load a cache line for every 4 numbers used).

/** Below this many output columns the tiles do not pay for their packing. */
const TILE_MIN_COLUMNS = 16;
/** Rows of a packed at once (32·K numbers: 200 KB at K = 784). */
const ROW_BLOCK = 32;

/** out[M,P] = a[M,K] · b[K,P], row-major; `out` must be zero-filled or is overwritten. */
export function matMulInto(a: Floats, b: Floats, out: Float64Array, M: number, K: number, P: number): Float64Array {
  if (P < TILE_MIN_COLUMNS) return plainInto(a, b, out, M, K, P);
  const aPack = new Float64Array(Math.min(ROW_BLOCK, Math.ceil(M / 4) * 4) * K);
  const bPack = new Float64Array(4 * K);
  const P4 = P - (P % 4);
  for (let m0 = 0; m0 < M; m0 += ROW_BLOCK) {
    const rows = Math.min(ROW_BLOCK, M - m0);
    const panels = Math.ceil(rows / 4);
    // rows m0 + 4·panel + lane at aPack[panel·4K + 4k + lane]
    aPack.fill(0);
    for (let r = 0; r < rows; r++) {
      const base = (r >> 2) * 4 * K + (r & 3);
      for (let k = 0, src = (m0 + r) * K; k < K; k++) aPack[base + k * 4] = a[src + k];
    }
    for (let p = 0; p < P4; p += 4) {
      for (let k = 0, src = p, d = 0; k < K; k++, src += P, d += 4) {
        bPack[d] = b[src];
        bPack[d + 1] = b[src + 1];
        bPack[d + 2] = b[src + 2];
        bPack[d + 3] = b[src + 3];
      }
      for (let panel = 0; panel < panels; panel++) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        const end = (panel + 1) * 4 * K;
        for (let ka = panel * 4 * K, kb = 0; ka < end; ka += 4, kb += 4) {
          const b0 = bPack[kb], b1 = bPack[kb + 1], b2 = bPack[kb + 2], b3 = bPack[kb + 3];
          const a0 = aPack[ka], a1 = aPack[ka + 1], a2 = aPack[ka + 2], a3 = aPack[ka + 3];
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        const here = Math.min(4, rows - panel * 4);
        let o = (m0 + panel * 4) * P + p;
        out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03;
        if (here < 2) continue;
        o += P;
        out[o] = c10; out[o + 1] = c11; out[o + 2] = c12; out[o + 3] = c13;
        if (here < 3) continue;
        o += P;
        out[o] = c20; out[o + 1] = c21; out[o + 2] = c22; out[o + 3] = c23;
        if (here < 4) continue;
        o += P;
        out[o] = c30; out[o + 1] = c31; out[o + 2] = c32; out[o + 3] = c33;
      }
    }
    for (let p = P4; p < P; p++) {
      for (let r = 0; r < rows; r++) {
        const base = (r >> 2) * 4 * K + (r & 3);
        let s = 0;
        for (let k = 0; k < K; k++) s += aPack[base + k * 4] * b[k * P + p];
        out[(m0 + r) * P + p] = s;
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
