import * as tf from '@tensorflow/tfjs';
import type { Algebra, ElementwiseBinary, ElementwiseUnary } from '../formula/algebra';

// The formula algebra lowered to tfjs ops (no tf.einsum: it has no gradient and no wasm kernel).
// Every op here is differentiable where the maths is, so tf.grad sees through formulas.

const binaryOps: Record<ElementwiseBinary, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  '+': tf.add,
  '-': tf.sub,
  '*': tf.mul,
  '/': tf.div,
  '^': tf.pow,
  '==': (a, b) => tf.cast(tf.equal(a, b), 'float32'),
  '!=': (a, b) => tf.cast(tf.notEqual(a, b), 'float32'),
  '<': (a, b) => tf.cast(tf.less(a, b), 'float32'),
  '<=': (a, b) => tf.cast(tf.lessEqual(a, b), 'float32'),
  '>': (a, b) => tf.cast(tf.greater(a, b), 'float32'),
  '>=': (a, b) => tf.cast(tf.greaterEqual(a, b), 'float32'),
  and: (a, b) => tf.cast(tf.logicalAnd(tf.notEqual(a, 0), tf.notEqual(b, 0)), 'float32'),
  or: (a, b) => tf.cast(tf.logicalOr(tf.notEqual(a, 0), tf.notEqual(b, 0)), 'float32'),
};

const unaryOps: Record<ElementwiseUnary, (t: tf.Tensor) => tf.Tensor> = {
  neg: tf.neg,
  not: (t) => tf.cast(tf.equal(t, 0), 'float32'),
  exp: tf.exp,
  log: tf.log,
  sqrt: tf.sqrt,
  abs: tf.abs,
  sigmoid: tf.sigmoid,
  tanh: tf.tanh,
  relu: tf.relu,
  // step(z) = 1 if z > 0: its derivative is zero everywhere it exists
  // (sign∘relu rather than a comparison: tfjs has no gradient for Greater, so grad(step(…)) would fail)
  step: (t) => tf.sign(tf.relu(t)),
};

export const algebraTf: Algebra<tf.Tensor> = {
  scalar: (value) => tf.scalar(value, 'float32'),
  shape: (t) => [...t.shape],
  fill: (shape, value) => tf.fill(shape, value, 'float32'),
  iota: (n) => tf.range(0, n, 1, 'float32'),
  eye: (n, m) => tf.eye(n, m, undefined, 'float32'),
  select: (t, axis, index) => tf.squeeze(tf.slice(t, t.shape.map((_, i) => (i === axis ? index : 0)), t.shape.map((s, i) => (i === axis ? 1 : s))), [axis]),
  diagonal(t, a, b) {
    // axes a and b moved last and merged, then the diagonal gathered: reads only diagonal elements
    // (multiplying by an identity would let an Inf off the diagonal poison it: Inf·0 = NaN)
    const n = t.shape[a];
    const rest = t.shape.map((_, i) => i).filter((i) => i !== a && i !== b);
    const moved = tf.transpose(t, [...rest, a, b]);
    const merged = tf.reshape(moved, [...rest.map((i) => t.shape[i]), n * n]);
    const diagonal = tf.gather(merged, tf.range(0, n * n, n + 1, 'int32'), rest.length);
    // put the kept axis back where a was
    const order = rest.map((_, k) => k);
    const position = rest.filter((i) => i < a).length;
    order.splice(position, 0, rest.length);
    return tf.transpose(diagonal, order);
  },
  transpose: (t, perm) => (perm.every((p, i) => p === i) ? t : tf.transpose(t, perm)),
  reshape: (t, shape) => tf.reshape(t, shape),
  binary: (op, a, b) => binaryOps[op](a, b),
  unary: (op, t) => unaryOps[op](t),
  sum: (t, axis) => tf.sum(t, axis),
  matMul: (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
  // tf.tidy keeps the tensors in what it returns (the node's value) and disposes the rest; a
  // node's { vars, value } is a tensor container (strings and a tensor), which its type does not say
  scoped: <R extends { value: tf.Tensor }>(evaluate: () => R): R => tf.tidy(evaluate as unknown as () => tf.TensorContainer) as unknown as R,
};
