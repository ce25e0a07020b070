import * as tf from '@tensorflow/tfjs';
import type { Algebra } from '../formula/algebra';
import { elementwise, type BinaryName } from '../formula/functions';

// The formula algebra lowered to tfjs ops (no tf.einsum: it has no gradient and no wasm kernel).
// Every op here is differentiable where the maths is, so tf.grad sees through formulas; the
// elementwise operations are the tfjs lowerings of functions.ts's table.

type CustomGradient = Parameters<typeof tf.customGrad>[0];

/**
 * source's elements at `indices` (1-D), with the gradient scattered back (summing repeated
 * indices): tfjs's own gather gradient needs UnsortedSegmentSum, which the wasm backend lacks.
 * The index tensors are made where they are used: the gradient runs after the evaluation's own
 * scope has freed its temporaries.
 */
function gatherFlat(source: tf.Tensor1D, indices: Int32Array): tf.Tensor {
  const gather = tf.customGrad(((src: tf.Tensor) => ({
    value: tf.gather(src, tf.tensor1d(indices, 'int32')),
    gradFunc: (dy: tf.Tensor) => [tf.scatterND(tf.tensor2d(indices, [indices.length, 1], 'int32'), tf.reshape(dy, [-1]), [src.size])],
  })) as unknown as CustomGradient);
  return gather(source);
}

const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** [elements before axis, its size, elements after]: a reduction or selection along one axis runs on 3 axes at any rank */
function aroundAxis(shape: readonly number[], axis: number): [number, number, number] {
  return [product(shape.slice(0, axis)), shape[axis], product(shape.slice(axis + 1))];
}

const withoutAxis = (shape: readonly number[], axis: number) => shape.filter((_, i) => i !== axis);

/**
 * The wasm backend's XNNPACK kernels take at most 6 axes; above that an elementwise op fails
 * (a console line) and returns garbage. Operands of the same rank with more axes are laid out
 * in three: the axes both have, the axes only `a` has (b's are 1) and the axes only `b` has,
 * grouped by one transpose each; the result is put back the same way. Every step is
 * differentiable, so tf.grad sees through.
 */
const KERNEL_RANK_LIMIT = 6;

function binaryInThreeAxes(op: BinaryName, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const out = a.shape.map((d, i) => Math.max(d, b.shape[i]));
  const axes = out.map((_, i) => i);
  const both = axes.filter((i) => a.shape[i] > 1 && b.shape[i] > 1);
  const onlyA = axes.filter((i) => a.shape[i] > 1 && b.shape[i] === 1);
  const onlyB = axes.filter((i) => a.shape[i] === 1 && b.shape[i] > 1);
  const ones = axes.filter((i) => out[i] === 1);
  const perm = [...both, ...onlyA, ...onlyB, ...ones];
  const size = (group: number[]) => product(group.map((i) => out[i]));
  const [nBoth, nA, nB] = [size(both), size(onlyA), size(onlyB)];
  const a3 = tf.reshape(tf.transpose(a, perm), [nBoth, nA, 1]);
  const b3 = tf.reshape(tf.transpose(b, perm), [nBoth, 1, nB]);
  const result = tf.reshape(elementwise(op).tf(a3, b3), perm.map((i) => out[i]));
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return tf.transpose(result, inverse);
}

// Reductions and selections run on the tensor read as [before, axis, after], so they and their
// gradients stay within the kernels' axis limit at any rank.
export const algebraTf: Algebra<tf.Tensor> = {
  scalar: (value) => tf.scalar(value, 'float32'),
  shape: (t) => [...t.shape],
  fill: (shape, value) => tf.fill(shape, value, 'float32'),
  iota: (n) => tf.range(0, n, 1, 'float32'),
  eye: (n, m) => tf.eye(n, m, undefined, 'float32'),
  constant: (shape, data) => tf.tensor(Float32Array.from(data), shape, 'float32'),
  select(t, axis, index) {
    const [before, n, after] = aroundAxis(t.shape, axis);
    const row = tf.slice(tf.reshape(t, [before, n, after]), [0, index, 0], [before, 1, after]);
    return tf.reshape(row, withoutAxis(t.shape, axis));
  },
  diagonal(t, a, b) {
    // t read as [P, n, M, n, Q] and element (p, i, m, i, q) gathered: reads only diagonal
    // elements (multiplying by an identity would let an Inf off the diagonal poison it: Inf·0 = NaN)
    const n = t.shape[a];
    const [p, , rest] = aroundAxis(t.shape, a);
    const [, , q] = aroundAxis(t.shape, b);
    const m = rest / (n * q);
    const offsets = new Int32Array(p * n * m * q);
    let k = 0;
    for (let pi = 0; pi < p; pi++)
      for (let i = 0; i < n; i++)
        for (let mi = 0; mi < m; mi++)
          for (let qi = 0; qi < q; qi++) offsets[k++] = (((pi * n + i) * m + mi) * n + i) * q + qi;
    return algebraTf.take(t, offsets, withoutAxis(t.shape, b));
  },
  transpose: (t, perm) => (perm.every((p, i) => p === i) ? t : tf.transpose(t, perm)),
  reshape: (t, shape) => tf.reshape(t, shape),
  binary: (op, a, b) => (a.rank > KERNEL_RANK_LIMIT ? binaryInThreeAxes(op, a, b) : elementwise(op).tf(a, b)),
  unary(op, t) {
    if (t.rank <= KERNEL_RANK_LIMIT) return elementwise(op).tf(t, t);
    const flat = tf.reshape(t, [t.size]);
    return tf.reshape(elementwise(op).tf(flat, flat), t.shape);
  },
  sum: (t, axis) => tf.reshape(tf.sum(tf.reshape(t, aroundAxis(t.shape, axis)), 1), withoutAxis(t.shape, axis)),
  extreme(t, axis, which) {
    const grouped = tf.reshape(t, aroundAxis(t.shape, axis));
    return tf.reshape(which === 'max' ? tf.max(grouped, 1) : tf.min(grouped, 1), withoutAxis(t.shape, axis));
  },
  take(t, offsets, shape) {
    const n = t.size;
    const flat = tf.reshape(t, [n]) as tf.Tensor1D;
    const padded = offsets.some((o) => o < 0);
    // a read in the padding reads one zero appended after the elements
    const source = padded ? (tf.concat([flat, tf.zeros([1])]) as tf.Tensor1D) : flat;
    const indices = padded ? Int32Array.from(offsets, (o) => (o < 0 ? n : o)) : offsets;
    return tf.reshape(gatherFlat(source, indices), shape);
  },
  matMul: (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
  // tf.tidy keeps the tensors in what it returns (the node's value) and disposes the rest; a
  // node's { vars, value } is a tensor container (strings and a tensor), which its type does not say
  scoped: <R extends { value: tf.Tensor }>(evaluate: () => R): R => tf.tidy(evaluate as unknown as () => tf.TensorContainer) as unknown as R,
};
