import * as tf from '@tensorflow/tfjs';
import { broadcastOffsets, diagonalOffsets } from '../../src/tfjs/anyRank';
import { algebraTf } from '../../src/tfjs/algebraTf';
import { gradsOrZeros } from '../../src/tfjs/gradsOrZeros';
import { useSpecBackend } from '../support/backend';

// A formula's intermediate has an axis per index variable in it (a convolution's gradient written
// with deltas: 8 or 9), and the wasm backend computes elementwise operations, reductions and slices
// of more than six axes wrongly, gradients included. Each operation of the tfjs algebra on a
// tensor of 7 and 8 axes gives the values and gradients it gives on the same numbers with the
// leading axes merged down to six, on the backend under test.

useSpecBackend();

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const numbers = (shape: number[], seed: number) => tf.tensor(Float32Array.from({ length: product(shape) }, (_, i) => (((i + seed) * 7919) % 23) / 23 + 0.05), shape);

/** The op's value and its gradient (weighted by 1, 2, 3, … over the output) with respect to each input. */
function valueAndGradients(op: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): number[][] {
  return tf.tidy(() => {
    const value = op(...xs);
    const weights = tf.reshape(tf.range(1, value.size + 1), value.shape);
    const grads = gradsOrZeros((...ys: tf.Tensor[]) => tf.sum(tf.mul(tf.reshape(op(...ys), [-1]), tf.reshape(weights, [-1]))), xs);
    return [Array.from(value.dataSync()), ...grads.map((g) => Array.from(g.dataSync()))];
  });
}

/** The shape with its leading axes merged down to six axes. */
const merged = (shape: number[]) => [product(shape.slice(0, shape.length - 5)), ...shape.slice(shape.length - 5)];

describe.each([7, 8])('tfjs algebra on %d axes', (rank) => {
  const shape = Array.from({ length: rank }, (_, i) => [2, 3, 2, 1, 3, 2, 2, 2][i]);
  // b broadcasts along every other axis, but not along those merged
  const bShape = shape.map((s, i) => (i < rank - 5 || i % 2 === 1 ? s : 1));
  const cases: [string, (...xs: tf.Tensor[]) => tf.Tensor, number[][]][] = [
    ['binary * with broadcasting', (a, b) => algebraTf.binary('*', a, b), [shape, bShape]],
    ['binary - with broadcasting', (a, b) => algebraTf.binary('-', a, b), [shape, bShape]],
    ['binary ^ with broadcasting', (a, b) => algebraTf.binary('^', a, b), [shape, bShape]],
    ['binary max, same shapes', (a, b) => algebraTf.binary('max', a, b), [shape, shape]],
    ['unary exp', (a) => algebraTf.unary('exp', a), [shape]],
    ['unary tanh', (a) => algebraTf.unary('tanh', a), [shape]],
    ['sum over the last axis', (a) => algebraTf.sum(a, a.rank - 1), [shape]],
    ['max over the last axis', (a) => algebraTf.extreme(a, a.rank - 1, 'max'), [shape]],
    ['select on the last axis', (a) => algebraTf.select(a, a.rank - 1, 1), [shape]],
    ['diagonal of the last two axes', (a) => algebraTf.diagonal(a, a.rank - 2, a.rank - 1), [shape]],
  ];
  it.each(cases)('%s', (_name, op, shapes) => {
    const before = tf.memory().numTensors;
    const full = shapes.map((s, k) => numbers(s, k));
    const fewer = full.map((t) => tf.reshape(t, merged(t.shape)));
    const got = valueAndGradients(op, full);
    const want = valueAndGradients(op, fewer);
    tf.dispose([...full, ...fewer]);
    // a broadcast gradient is summed in another order on the flat view: float32 rounding apart
    const apart = got.flatMap((list, k) => list.flatMap((v, i) => (Math.abs(v - want[k][i]) <= 1e-6 * Math.max(1, Math.abs(want[k][i])) ? [] : [{ list: k, index: i, got: v, want: want[k][i] }])));
    expect(got.map((list) => list.length)).toEqual(want.map((list) => list.length));
    expect(apart).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('flat positions', () => {
  it('broadcastOffsets: the element each position of the result reads', () => {
    expect(Array.from(broadcastOffsets([2, 1], [2, 3]))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(broadcastOffsets([1, 3], [2, 3]))).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('diagonalOffsets: the diagonal of axes a and b, b dropped', () => {
    // [2, 3, 3]: t[i, j, j]
    expect(diagonalOffsets([2, 3, 3], 1, 2)).toEqual({ offsets: Int32Array.from([0, 4, 8, 9, 13, 17]), shape: [2, 3] });
    // [3, 2, 3]: t[j, i, j], the kept axis first
    expect(diagonalOffsets([3, 2, 3], 0, 2)).toEqual({ offsets: Int32Array.from([0, 3, 7, 10, 14, 17]), shape: [3, 2] });
  });
});
