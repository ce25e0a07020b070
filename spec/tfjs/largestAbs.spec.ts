import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { SeededRandom } from '../../src/foundation/random';
import { largestAbs } from '../../src/tfjs/largestAbs';
import { readsInPlace } from '../../src/tfjs/readInto';
import { useSpecBackend } from '../support/backend';

// The largest |values| of a gradient (the agreement check's chosen elements), found in one pass
// over the values where the backend keeps them: the same |values| as tf.topk over every |value|,
// the earlier position first among equal ones, and no tfjs kernel run.

useSpecBackend();

/** The k largest |values| of `data`, largest first (what tf.topk of |t| gives, as values). */
const topValues = (data: ArrayLike<number>, k: number): number[] =>
  Array.from(data, Math.abs)
    .sort((a, b) => b - a)
    .slice(0, k);

/** The positions of the k largest |values|, the earlier first among equal ones (NaN as the largest). */
const topPositions = (data: ArrayLike<number>, k: number): number[] => {
  const magnitude = (i: number) => (Number.isNaN(data[i]) ? Infinity : Math.abs(data[i]));
  return Array.from({ length: data.length }, (_, i) => i)
    .sort((a, b) => magnitude(b) - magnitude(a) || a - b)
    .slice(0, k);
};

function check(shape: number[], data: Float32Array, k: number): void {
  const t = tf.tensor(data, shape);
  const positions = largestAbs(t, k);
  t.dispose();
  expect(positions.length).toBe(Math.min(k, data.length));
  expect(Array.from(positions, (p) => Math.abs(data[p]))).toEqual(topValues(data, k));
  expect(Array.from(positions)).toEqual(topPositions(data, k));
}

describe('largestAbs', () => {
  it('gives the k largest |values|, largest first, for tensors of any rank and shape', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1e6 }), (shape, k, seed) => {
        const rng = new SeededRandom(seed);
        const n = shape.reduce((a, b) => a * b, 1);
        // small integers: ties within and across rows
        const data = Float32Array.from({ length: n }, () => rng.integer(7) - 3);
        check(shape, data, k);
      }),
      { numRuns: 300 },
    );
  });

  it('finds two largest in one row, and in rows far apart', () => {
    const data = new Float32Array(40 * 30).fill(0.5);
    data[7 * 30 + 3] = -9;
    data[7 * 30 + 29] = 8;
    check([40, 30], data, 2);
    data[7 * 30 + 29] = 0;
    data[39 * 30] = 8.5;
    check([40, 30], data, 2);
    expect(Array.from(tf.tidy(() => largestAbs(tf.tensor(data, [40, 30]), 2)))).toEqual([7 * 30 + 3, 39 * 30]);
  });

  it('counts NaN and ±∞ as the largest, a row at a time and whole, on every backend', () => {
    const sorted = (a: Int32Array) => Array.from(a).sort((x, y) => x - y);
    const data = Float32Array.from([NaN, 1, 2, 3, 5, 0, 0, 0]);
    for (const shape of [[4, 2], [8], [2, 2, 2]]) expect(sorted(tf.tidy(() => largestAbs(tf.tensor(data, shape), 2)))).toEqual([0, 4]);
    const infinite = Float32Array.from([0, 0, -Infinity, 1, 1, 2, 3, 0]);
    for (const shape of [[4, 2], [8]]) expect(sorted(tf.tidy(() => largestAbs(tf.tensor(infinite, shape), 2)))).toEqual([2, 6]);
    // a NaN and an infinity: both, before any finite value
    const both = Float32Array.from([7, 0, 0, Infinity, 0, NaN, 8, 0, 0]);
    for (const shape of [[3, 3], [9]]) expect(sorted(tf.tidy(() => largestAbs(tf.tensor(both, shape), 2)))).toEqual([3, 5]);
  });

  it('runs no kernel, and reads the values where the backend keeps them (no dataSync copy on wasm and cpu)', () => {
    const rng = new SeededRandom(5);
    const data = Float32Array.from({ length: 300 * 200 }, () => rng.normal(0, 1));
    const t = tf.tensor(data, [300, 200]);
    const kernels: string[] = [];
    const engine = tf.engine();
    const real = engine.runKernel.bind(engine);
    const spy = jest.spyOn(engine, 'runKernel').mockImplementation((...args: Parameters<typeof real>) => {
      kernels.push(args[0]);
      return real(...args);
    });
    const copies = jest.spyOn(t, 'dataSync');
    try {
      expect(Array.from(largestAbs(t, 2))).toEqual(topPositions(data, 2));
    } finally {
      spy.mockRestore();
      copies.mockRestore();
    }
    expect(kernels).toEqual([]);
    if (readsInPlace()) expect(copies).not.toHaveBeenCalled();
    t.dispose();
  });
});
