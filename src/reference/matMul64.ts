import type { Floats } from '../foundation/tensor';
import { MATMUL64_WASM } from './matMul64Wasm';

// The float64 matrix product every reference computation goes through. Each output element is
// Σ_k a[m,k]·b[k,p] accumulated in k order from 0, exactly as the plain triple loop does, so the
// blocking below changes the speed and not one bit of the result: 4×4 tiles (16 products per 8
// loads), whose operands are packed so that both are read in order: a's rows ROW_BLOCK at a
// time, b's columns 4 at a time (K×4 numbers, in the first-level cache, where reading b's rows
// with stride P would load a cache line for every 4 numbers used). The tiles run in WebAssembly
// with 128-bit SIMD where the runtime has it (matMul64.wat: two lanes per instruction, product
// rounded then added, the same bits), else in TypeScript (`tilesTs`, the same loop).

/** Below this many output columns the tiles do not pay for their packing. */
const TILE_MIN_COLUMNS = 16;
/** Rows of a packed at once (32·K numbers: 200 KB at K = 784). */
const ROW_BLOCK = 32;
/** Numbers of b packed at once (256 KB): all of b's columns where K is small, else a few panels at a time. */
const B_PACK = 32768;
/** Most panels of b packed at once (the block of outputs they make is ROW_BLOCK × 4· this numbers). */
const MOST_B_PANELS = 256;

/**
 * For each of `bPanels` panels of bPack (4 columns, panel q: column c of step k at q·4K + 4k + c)
 * and each of `panels` panels of aPack (4 rows: row r of step k at panel·4K + 4k + r), the 4×4
 * products into a block of rows `stride` numbers long: row 4·panel + r, columns 4q…4q+3.
 */
type Tiles = (aPack: Float64Array, bPack: Float64Array, out: Float64Array, K: number, panels: number, bPanels: number, stride: number) => void;

function tilesTs(aPack: Float64Array, bPack: Float64Array, out: Float64Array, K: number, panels: number, bPanels: number, stride: number): void {
  for (let q = 0; q < bPanels; q++) {
    const bq = q * 4 * K;
    for (let panel = 0; panel < panels; panel++) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      const end = (panel + 1) * 4 * K;
      for (let ka = panel * 4 * K, kb = bq; ka < end; ka += 4, kb += 4) {
        const b0 = bPack[kb], b1 = bPack[kb + 1], b2 = bPack[kb + 2], b3 = bPack[kb + 3];
        const a0 = aPack[ka], a1 = aPack[ka + 1], a2 = aPack[ka + 2], a3 = aPack[ka + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      let o = 4 * panel * stride + 4 * q;
      out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03;
      o += stride;
      out[o] = c10; out[o + 1] = c11; out[o + 2] = c12; out[o + 3] = c13;
      o += stride;
      out[o] = c20; out[o + 1] = c21; out[o + 2] = c22; out[o + 3] = c23;
      o += stride;
      out[o] = c30; out[o + 1] = c31; out[o + 2] = c32; out[o + 3] = c33;
    }
  }
}

/** The packed operands and the tiles' block of outputs, and the tiles that read them. */
interface Workspace {
  aPack: Float64Array;
  bPack: Float64Array;
  tileOut: Float64Array;
  tiles: Tiles;
}

interface SimdTiles {
  memory: WebAssembly.Memory;
  run: (a: number, b: number, out: number, K: number, panels: number, bPanels: number, stride: number) => void;
}

/** The WebAssembly tiles, or null where the runtime cannot compile them (no SIMD). */
let simd: SimdTiles | null | undefined;

function simdTiles(): SimdTiles | null {
  if (simd !== undefined) return simd;
  simd = null;
  try {
    const bytes = Uint8Array.from(atob(MATMUL64_WASM), (c) => c.charCodeAt(0));
    if (WebAssembly.validate(bytes)) {
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      simd = { memory: exports.memory as WebAssembly.Memory, run: exports.tiles as SimdTiles['run'] };
    }
  } catch {
    simd = null;
  }
  return simd;
}

/** Whether the WebAssembly tiles are wanted (the specs turn them off to check the TypeScript ones). */
let useSimd = true;

/** Whether the tiles run in WebAssembly here (else TypeScript), and a way to choose (for the specs). */
export const matMulTiles = {
  kind: (): 'wasm' | 'ts' => (useSimd && simdTiles() !== null ? 'wasm' : 'ts'),
  use(kind: 'wasm' | 'ts'): void {
    useSimd = kind === 'wasm';
  },
};

/** Room for ROW_BLOCK packed rows of a, `bPanels` packed panels of b and their block of outputs, in the WebAssembly memory or in arrays of their own. */
function workspace(K: number, bPanels: number): Workspace {
  const sizes = [ROW_BLOCK * K, bPanels * 4 * K, ROW_BLOCK * bPanels * 4];
  const tiles = useSimd ? simdTiles() : null;
  if (tiles === null) {
    const [aPack, bPack, tileOut] = sizes.map((n) => new Float64Array(n));
    return { aPack, bPack, tileOut, tiles: tilesTs };
  }
  const bytes = 8 * (sizes[0] + sizes[1] + sizes[2]);
  const missing = bytes - tiles.memory.buffer.byteLength;
  if (missing > 0) tiles.memory.grow(Math.ceil(missing / 65536));
  // views made after growing (growing detaches the old buffer)
  const buffer = tiles.memory.buffer;
  const aPack = new Float64Array(buffer, 0, sizes[0]);
  const bPack = new Float64Array(buffer, aPack.byteLength, sizes[1]);
  const tileOut = new Float64Array(buffer, aPack.byteLength + bPack.byteLength, sizes[2]);
  return { aPack, bPack, tileOut, tiles: (_a, _b, _out, k, panels, bPanels, stride) => tiles.run(0, aPack.byteLength, aPack.byteLength + bPack.byteLength, k, panels, bPanels, stride) };
}

/**
 * Rows of b packed together (PACK_ROWS of them, then the next): a panel's column runs down b with
 * a stride of P numbers, 4 KB at P = 512, and every such line falls in the same set of the
 * first-level cache, which holds 8; reading a whole panel down K rows before the next (which reads
 * the other half of the same lines) would miss that cache at every read.
 */
const PACK_ROWS = 8;

/** b's columns [p0, p0 + 4·panels) packed: panel q's column c of step k at q·4K + 4k + c. */
function packB(b: Floats, bPack: Float64Array, K: number, P: number, p0: number, panels: number): void {
  for (let k0 = 0; k0 < K; k0 += PACK_ROWS) {
    const k1 = Math.min(K, k0 + PACK_ROWS);
    for (let q = 0; q < panels; q++) {
      for (let k = k0, src = k0 * P + p0 + 4 * q, d = q * 4 * K + 4 * k0; k < k1; k++, src += P, d += 4) {
        bPack[d] = b[src];
        bPack[d + 1] = b[src + 1];
        bPack[d + 2] = b[src + 2];
        bPack[d + 3] = b[src + 3];
      }
    }
  }
}

/**
 * out[M,P] = a[M,K] · b[K,P], row-major; `out` must be zero-filled or is overwritten. b's columns
 * go in chunks of panels (all of them at once where K is small: packed once for every row of a);
 * each chunk's products for ROW_BLOCK rows of a come out of one call of the tiles as a block of
 * rows, copied into `out` a row at a time. Columns past the last whole panel are dot products.
 */
export function matMulInto(a: Floats, b: Floats, out: Float64Array, M: number, K: number, P: number): Float64Array {
  if (P < TILE_MIN_COLUMNS) return plainInto(a, b, out, M, K, P);
  const allPanels = P >> 2;
  const chunkPanels = Math.max(1, Math.min(allPanels, MOST_B_PANELS, Math.floor(B_PACK / (4 * K))));
  const { aPack, bPack, tileOut, tiles } = workspace(K, chunkPanels);
  const once = chunkPanels === allPanels;
  if (once) packB(b, bPack, K, P, 0, allPanels);
  for (let m0 = 0; m0 < M; m0 += ROW_BLOCK) {
    const rows = Math.min(ROW_BLOCK, M - m0);
    const panels = Math.ceil(rows / 4);
    // rows m0 + 4·panel + lane at aPack[panel·4K + 4k + lane]
    aPack.fill(0, 0, panels * 4 * K);
    for (let r = 0; r < rows; r++) {
      const base = (r >> 2) * 4 * K + (r & 3);
      for (let k = 0, src = (m0 + r) * K; k < K; k++) aPack[base + k * 4] = a[src + k];
    }
    for (let q0 = 0; q0 < allPanels; q0 += chunkPanels) {
      const bPanels = Math.min(chunkPanels, allPanels - q0);
      if (!once) packB(b, bPack, K, P, 4 * q0, bPanels);
      const width = 4 * bPanels;
      tiles(aPack, bPack, tileOut, K, panels, bPanels, width);
      // rows of the whole width lie in `out` as in the block: one copy (not a view, an object, a row)
      if (width === P) out.set(tileOut.subarray(0, rows * width), m0 * P);
      else for (let r = 0; r < rows; r++) out.set(tileOut.subarray(r * width, (r + 1) * width), (m0 + r) * P + 4 * q0);
    }
  }
  for (let p = allPanels * 4; p < P; p++) {
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let k = 0, src = m * K; k < K; k++) s += a[src + k] * b[k * P + p];
      out[m * P + p] = s;
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
