import * as tf from '@tensorflow/tfjs';
import type { Algebra } from '../formula/algebra';
import { elementwise } from '../formula/functions';
import { binaryAnyRank, diagonalOffsets, reduceAnyRank, selectAnyRank, unaryAnyRank } from './anyRank';
import { matMulTf } from './matMulTf';

// The formula algebra lowered to tfjs ops (no tf.einsum: it has no gradient and no wasm kernel).
// Every op here is differentiable where the maths is, so tf.grad sees through formulas; the
// elementwise operations are the tfjs lowerings of functions.ts's table. Tensors of more than six
// axes are computed on views of fewer (anyRank.ts): the wasm backend gets them wrong.

type CustomGradient = Parameters<typeof tf.customGrad>[0];

/**
 * source's elements at `indices` (1-D), with the gradient scattered back (summing repeated
 * indices): tfjs's own gather gradient needs UnsortedSegmentSum, which the wasm backend lacks.
 * The indices reach the gradient through `save`, which keeps them past the tf.tidy of the node
 * that read them (the backward pass runs after that scope has ended).
 */
function gatherFlat(source: tf.Tensor1D, indices: tf.Tensor1D): tf.Tensor {
  const gather = tf.customGrad(((src: tf.Tensor, save: tf.GradSaveFunc) => {
    save([indices]);
    return {
      value: tf.gather(src, indices),
      gradFunc: (dy: tf.Tensor, [kept]: tf.Tensor[]) => [tf.scatterND(tf.reshape(kept, [-1, 1]), tf.reshape(dy, [-1]), [src.size])],
    };
  }) as unknown as CustomGradient);
  return gather(source);
}

export const algebraTf: Algebra<tf.Tensor> = {
  scalar: (value) => tf.scalar(value, 'float32'),
  shape: (t) => [...t.shape],
  fill: (shape, value) => tf.fill(shape, value, 'float32'),
  iota: (n) => tf.range(0, n, 1, 'float32'),
  eye: (n, m) => tf.eye(n, m, undefined, 'float32'),
  constant: (shape, data) => tf.tensor(Float32Array.from(data), shape, 'float32'),
  select: selectAnyRank,
  diagonal(t, a, b) {
    // the diagonal's elements gathered by their flat positions: reads only them (multiplying by an
    // identity would let an Inf off the diagonal poison it: Inf·0 = NaN)
    const { offsets, shape } = diagonalOffsets(t.shape, a, b);
    return algebraTf.take(t, offsets, shape);
  },
  transpose: (t, perm) => (perm.every((p, i) => p === i) ? t : tf.transpose(t, perm)),
  reshape: (t, shape) => tf.reshape(t, shape),
  binary: (op, a, b) => binaryAnyRank(elementwise(op).tf, a, b, algebraTf.take),
  unary: (op, t) => unaryAnyRank((x) => elementwise(op).tf(x, x), t),
  sum: (t, axis) => reduceAnyRank((x, k) => tf.sum(x, k), t, axis),
  extreme: (t, axis, which) => reduceAnyRank((x, k) => (which === 'max' ? tf.max(x, k) : tf.min(x, k)), t, axis),
  take(t, offsets, shape) {
    const n = t.size;
    const flat = tf.reshape(t, [n]) as tf.Tensor1D;
    const padded = offsets.some((o) => o < 0);
    // a read in the padding reads one zero appended after the elements
    const source = padded ? (tf.concat([flat, tf.zeros([1])]) as tf.Tensor1D) : flat;
    const indices = tf.tensor1d(padded ? Int32Array.from(offsets, (o) => (o < 0 ? n : o)) : offsets, 'int32');
    return tf.reshape(gatherFlat(source, indices), shape);
  },
  matMul: matMulTf,
  // tf.tidy keeps the tensors in what it returns (the node's value) and disposes the rest; a
  // node's { vars, value } is a tensor container (strings and a tensor), which its type does not say
  scoped: <R extends { value: tf.Tensor }>(evaluate: () => R): R => tf.tidy(evaluate as unknown as () => tf.TensorContainer) as unknown as R,
};
