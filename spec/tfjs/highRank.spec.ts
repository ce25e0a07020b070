import * as tf from '@tensorflow/tfjs';
import type { BinaryName, UnaryName } from '../../src/formula/functions';
import { algebra64, type Value64 } from '../../src/reference/algebra64';
import { algebraTf } from '../../src/tfjs/algebraTf';
import { unravel } from '../../src/foundation/indices';
import { useSpecBackend } from '../support/backend';

// Formulas over many indices (a convolution's gradient by its input reads 8 axes) make tensors of
// rank above 6, where the wasm backend's elementwise kernels fail silently. The tfjs algebra must
// give the float64 algebra's numbers at any rank, and tf.grad must see through.

useSpecBackend();

const A_SHAPE = [2, 1, 2, 1, 2, 1, 2, 3];
const B_SHAPE = [1, 3, 1, 2, 2, 1, 1, 3];

function numbers(shape: number[], seed: number): Float64Array {
  const n = shape.reduce((p, d) => p * d, 1);
  // small exact binary fractions: float32 holds them, so both worlds start from the same numbers
  return Float64Array.from({ length: n }, (_, i) => (((i * 7 + seed * 13) % 17) - 8) / 8 + 0.0625);
}

const value64 = (shape: number[], seed: number): Value64 => ({ shape, data: numbers(shape, seed) });
const valueTf = (shape: number[], seed: number): tf.Tensor => tf.tensor(Float32Array.from(numbers(shape, seed)), shape);

function expectClose(actual: tf.Tensor, expected: Value64): void {
  expect(actual.shape).toEqual(expected.shape);
  const got = actual.dataSync();
  const tolerance = 1e-5 * Math.max(1, ...Array.from(expected.data, Math.abs));
  expected.data.forEach((e, i) => expect(Math.abs(got[i] - e)).toBeLessThanOrEqual(tolerance));
}

describe('tfjs algebra at rank 8', () => {
  test.each<BinaryName>(['+', '-', '*', 'max', '<'])('%s broadcasting both ways matches float64', (op) => {
    const expected = algebra64.binary(op, value64(A_SHAPE, 1), value64(B_SHAPE, 2));
    tf.tidy(() => expectClose(algebraTf.binary(op, valueTf(A_SHAPE, 1), valueTf(B_SHAPE, 2)), expected));
  });

  test('operands of the same shape and a scalar-like operand', () => {
    const ones = A_SHAPE.map(() => 1);
    tf.tidy(() => {
      expectClose(algebraTf.binary('*', valueTf(A_SHAPE, 1), valueTf(A_SHAPE, 3)), algebra64.binary('*', value64(A_SHAPE, 1), value64(A_SHAPE, 3)));
      expectClose(algebraTf.binary('/', valueTf(A_SHAPE, 1), valueTf(ones, 4)), algebra64.binary('/', value64(A_SHAPE, 1), value64(ones, 4)));
    });
  });

  test.each<UnaryName>(['exp', 'tanh', 'relu', 'neg'])('%s matches float64', (op) => {
    tf.tidy(() => expectClose(algebraTf.unary(op, valueTf(A_SHAPE, 5)), algebra64.unary(op, value64(A_SHAPE, 5))));
  });

  test('sum, max, select and diagonal along an inner axis match float64', () => {
    const a = value64(A_SHAPE, 1);
    const square = [2, 2, 1, 3, 2, 2, 3, 1];
    tf.tidy(() => {
      expectClose(algebraTf.sum(valueTf(A_SHAPE, 1), 4), algebra64.sum(a, 4));
      expectClose(algebraTf.extreme(valueTf(A_SHAPE, 1), 6, 'max'), algebra64.extreme(a, 6, 'max'));
      expectClose(algebraTf.select(valueTf(A_SHAPE, 1), 7, 2), algebra64.select(a, 7, 2));
      expectClose(algebraTf.diagonal(valueTf(square, 3), 3, 6), algebra64.diagonal(value64(square, 3), 3, 6));
    });
  });
});

/** tf.grad of the sum of every element of f(x), at x */
function gradientOfTotal(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): Float32Array {
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.reshape(f(t), [-1])))(x);
  const data = g.dataSync() as Float32Array;
  g.dispose();
  return data;
}

/** 1 at the multi-indices of `shape` that `keep` accepts */
function mask(shape: number[], keep: (index: number[]) => boolean): number[] {
  return Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, flat) => +keep(unravel(flat, shape)));
}

describe('tf.grad through the tfjs algebra at rank 8', () => {
  test('a product summed along an axis: the gradient by a is b summed over the axes a broadcasts along', () => {
    const b = value64(B_SHAPE, 2);
    const gradient = tf.tidy(() => gradientOfTotal((a) => algebraTf.sum(algebraTf.binary('*', a, valueTf(B_SHAPE, 2)), 4), valueTf(A_SHAPE, 1)));
    let expected: Value64 = algebra64.binary('*', algebra64.fill(A_SHAPE, 1), b);
    for (let axis = A_SHAPE.length - 1; axis >= 0; axis--) {
      if (A_SHAPE[axis] === 1 && expected.shape[axis] > 1) {
        expected = algebra64.reshape(algebra64.sum(expected, axis), expected.shape.map((d, i) => (i === axis ? 1 : d)));
      }
    }
    expect(gradient.length).toBe(expected.data.length);
    expected.data.forEach((e, i) => expect(gradient[i]).toBeCloseTo(e, 4));
  });

  test('select and diagonal: the gradient is 1 at the elements read', () => {
    const shape = [2, 2, 1, 3, 2, 2, 3, 1];
    const selected = tf.tidy(() => gradientOfTotal((t) => algebraTf.select(t, 6, 1), valueTf(shape, 1)));
    expect(Array.from(selected)).toEqual(mask(shape, (index) => index[6] === 1));
    const diagonal = tf.tidy(() => gradientOfTotal((t) => algebraTf.diagonal(t, 3, 6), valueTf(shape, 1)));
    expect(Array.from(diagonal)).toEqual(mask(shape, (index) => index[3] === index[6]));
  });

  test('max along an axis: the gradient is 1 at each largest element', () => {
    const x = value64(A_SHAPE, 1);
    const largest = algebra64.extreme(x, 7, 'max');
    const gradient = tf.tidy(() => gradientOfTotal((t) => algebraTf.extreme(t, 7, 'max'), valueTf(A_SHAPE, 1)));
    const isLargest = (flat: number) => x.data[flat] === largest.data[Math.floor(flat / A_SHAPE[7])];
    expect(Array.from(gradient)).toEqual(Array.from(x.data, (_, flat) => +isLargest(flat)));
  });
});
