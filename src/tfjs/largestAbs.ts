import * as tf from '@tensorflow/tfjs';

/**
 * Rows of at most this many elements are searched whole for the largest |value|s: beyond it,
 * or with fewer rows than wanted, all of the tensor goes through tf.topk.
 */
const LONGEST_ROW = 1 << 16;

/**
 * The flat positions of the `k` largest |values| of `t` (tf.topk over |t|, largest first), found
 * without a tensor of t's size: tfjs-wasm's TopK copies and sorts every element (at 1e6 elements
 * it grew the wasm heap by 8 MB, which never shrinks), and |t| itself is one more such tensor.
 * The k largest lie in the k rows (t's last axis) with the largest max |value|: each row's max and
 * min are taken, then those rows alone go through tf.topk. Call inside tf.tidy.
 */
export function largestAbs(t: tf.Tensor, k: number): Int32Array {
  const n = t.size;
  const cols = t.rank >= 2 ? t.shape[t.rank - 1] : n;
  const rows = cols > 0 ? n / cols : 0;
  const wanted = Math.min(k, n);
  if (rows < wanted || cols > LONGEST_ROW || t.rank < 2) return Int32Array.from(tf.topk(tf.abs(tf.reshape(t, [-1])), wanted).indices.dataSync());
  const matrix = tf.reshape(t, [rows, cols]);
  const rowLargest = tf.maximum(tf.max(matrix, 1), tf.neg(tf.min(matrix, 1)));
  const top = tf.topk(rowLargest, wanted).indices;
  const inRows = tf.topk(tf.abs(tf.reshape(tf.gather(matrix, top), [-1])), wanted).indices.dataSync();
  const rowOf = top.dataSync();
  return Int32Array.from(inRows, (p) => rowOf[Math.floor(p / cols)] * cols + (p % cols));
}
