// The float64 matrix product (src/reference/matMul64.ts): packed 4×4 tiles in WebAssembly SIMD
// where the runtime has it, else in TypeScript; either way the plain triple loop's bits. The
// module's bytes (matMul64Wasm.ts) are generated from matMul64.wat and must be in step with it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../../src/foundation/random';
import { matMulInto, matMulTiles } from '../../src/reference/matMul64';
import { wasmSource } from '../../scripts/wasmSource';

const plainLoop = (a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, P: number): number[] => {
  const out = new Float64Array(M * P);
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) for (let p = 0; p < P; p++) out[m * P + p] += a[m * K + k] * b[k * P + p];
  return Array.from(out);
};

describe('matMulInto', () => {
  afterAll(() => matMulTiles.use('wasm'));

  it('runs its tiles in WebAssembly here (Node has SIMD)', () => {
    matMulTiles.use('wasm');
    expect(matMulTiles.kind()).toBe('wasm');
  });

  describe.each(['wasm', 'ts'] as const)('with the %s tiles', (kind) => {
    beforeAll(() => matMulTiles.use(kind));

    it.each([[3, 5, 2], [7, 9, 17], [5, 33, 21], [64, 20, 40], [33, 7, 18], [70, 13, 35], [37, 130, 64], [33, 1500, 50]])('equals the plain triple loop bit for bit at %i×%i×%i', (M, K, P) => {
      const rng = new SeededRandom(M * K * P);
      const a = Float64Array.from({ length: M * K }, () => rng.normal(0, 1));
      const b = Float64Array.from({ length: K * P }, () => rng.normal(0, 1));
      expect(matMulTiles.kind()).toBe(kind);
      expect(Array.from(matMulInto(a, b, new Float64Array(M * P), M, K, P))).toEqual(plainLoop(a, b, M, K, P));
    });

    it('reads float32 operands, and numbers whose products round differently in any other order', () => {
      const rng = new SeededRandom(11);
      const [M, K, P] = [9, 300, 20];
      // magnitudes spread over 1e-8…1e8: a fused multiply-add or another summation order would change bits
      const a = Float32Array.from({ length: M * K }, () => rng.normal(0, 1) * 10 ** rng.integer(17) * 1e-8);
      const b = Float64Array.from({ length: K * P }, () => rng.normal(0, 1) * 10 ** rng.integer(17) * 1e-8);
      expect(Array.from(matMulInto(a, b, new Float64Array(M * P), M, K, P))).toEqual(plainLoop(a, b, M, K, P));
    });
  });

  it('after a product with a larger inner dimension (the module memory grown), still the same bits', () => {
    matMulTiles.use('wasm');
    const rng = new SeededRandom(5);
    for (const K of [4000, 20]) {
      const [M, P] = [5, 16];
      const a = Float64Array.from({ length: M * K }, () => rng.normal(0, 1));
      const b = Float64Array.from({ length: K * P }, () => rng.normal(0, 1));
      expect(Array.from(matMulInto(a, b, new Float64Array(M * P), M, K, P))).toEqual(plainLoop(a, b, M, K, P));
    }
  });

  it('loads the module generated from matMul64.wat as it is now (npm run build:wasm)', async () => {
    const dir = join(__dirname, '../../src/reference');
    expect(readFileSync(join(dir, 'matMul64Wasm.ts'), 'utf8')).toBe(await wasmSource(readFileSync(join(dir, 'matMul64.wat'), 'utf8')));
  });
});
