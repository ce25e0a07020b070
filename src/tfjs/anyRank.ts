import * as tf from '@tensorflow/tfjs';
import { rowMajorStrides } from '../foundation/indices';

// The wasm backend computes elementwise operations, reductions and slices with XNNPACK, which
// takes at most 6 axes: with more it leaves the result unwritten (whatever the memory held), in
// the forward pass and in every gradient that multiplies (spec/tfjs/highRank.spec.ts). A formula's
// intermediate has an axis per index variable in it, so a convolution's gradient written with
// deltas reaches 8 or 9. Above MAX_RANK these operations run on views of at most 3 axes, which
// reshapes make for free, and broadcasting is done by a gather to the result's flat shape.

export const MAX_RANK = 6;

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** An elementwise operation of one tensor, on its flat view above MAX_RANK. */
export function unaryAnyRank(op: (t: tf.Tensor) => tf.Tensor, t: tf.Tensor): tf.Tensor {
  if (t.rank <= MAX_RANK) return op(t);
  return tf.reshape(op(tf.reshape(t, [t.size])), t.shape);
}

/** A reduction over one axis (which it drops), on a [before, axis, after] view above MAX_RANK. */
export function reduceAnyRank(op: (t: tf.Tensor, axis: number) => tf.Tensor, t: tf.Tensor, axis: number): tf.Tensor {
  if (t.rank <= MAX_RANK) return op(t, axis);
  const kept = t.shape.filter((_, i) => i !== axis);
  const view = tf.reshape(t, [product(t.shape.slice(0, axis)), t.shape[axis], product(t.shape.slice(axis + 1))]);
  return tf.reshape(op(view, 1), kept);
}

/** Element `index` along `axis` (which is dropped), on a [before, axis, after] view above MAX_RANK. */
export function selectAnyRank(t: tf.Tensor, axis: number, index: number): tf.Tensor {
  const kept = t.shape.filter((_, i) => i !== axis);
  if (t.rank <= MAX_RANK) return tf.reshape(tf.slice(t, t.shape.map((_, i) => (i === axis ? index : 0)), t.shape.map((s, i) => (i === axis ? 1 : s))), kept);
  const [before, after] = [product(t.shape.slice(0, axis)), product(t.shape.slice(axis + 1))];
  return tf.reshape(tf.slice(tf.reshape(t, [before, t.shape[axis], after]), [0, index, 0], [before, 1, after]), kept);
}

/**
 * An elementwise operation of two tensors of one rank whose axes of size 1 broadcast. Above
 * MAX_RANK each is first read out to the result's flat shape (`take`: the algebra's read by flat
 * positions, its gradient summed back over repeats), so the operation sees two equal 1-D tensors.
 */
export function binaryAnyRank(
  op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
  take: (t: tf.Tensor, offsets: Int32Array, shape: number[]) => tf.Tensor,
): tf.Tensor {
  if (Math.max(a.rank, b.rank) <= MAX_RANK) return op(a, b);
  const shape = a.shape.map((s, i) => Math.max(s, b.shape[i]));
  const size = product(shape);
  const spread = (t: tf.Tensor) => (t.size === size ? tf.reshape(t, [size]) : take(t, broadcastOffsets(t.shape, shape), [size]));
  return tf.reshape(op(spread(a), spread(b)), shape);
}

/** The flat positions that a view of `shape` with `strides` reads, in row-major order. */
function stridedOffsets(shape: readonly number[], strides: readonly number[]): Int32Array {
  const offsets = new Int32Array(product(shape));
  const at = new Array<number>(shape.length).fill(0);
  for (let k = 0, flat = 0; k < offsets.length; k++) {
    offsets[k] = flat;
    for (let i = shape.length - 1; i >= 0; i--) {
      flat += strides[i];
      if (++at[i] < shape[i]) break;
      flat -= strides[i] * shape[i];
      at[i] = 0;
    }
  }
  return offsets;
}

/** For each element of `shape`, the flat position of the element of `from` (same rank) that broadcasts to it. */
export function broadcastOffsets(from: readonly number[], shape: readonly number[]): Int32Array {
  return stridedOffsets(shape, rowMajorStrides(from).map((s, i) => (from[i] === 1 ? 0 : s)));
}

/** For each element of the diagonal of axes a < b (axis b dropped), its flat position in a tensor of `shape`. */
export function diagonalOffsets(shape: readonly number[], a: number, b: number): { offsets: Int32Array; shape: number[] } {
  const strides = rowMajorStrides(shape);
  // the kept axis a steps along a and b at once
  const diagonal = strides.map((s, i) => (i === a ? s + strides[b] : s)).filter((_, i) => i !== b);
  const result = shape.filter((_, i) => i !== b);
  return { offsets: stridedOffsets(result, diagonal), shape: result };
}
