import * as tf from '@tensorflow/tfjs';

/**
 * Rows of at most this many elements are searched whole for the largest |value|s: beyond it,
 * or with fewer rows than wanted, all of the tensor goes through tf.topk.
 */
const LONGEST_ROW = 1 << 16;

/** The largest float32 number. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * |t|, with NaN and ±∞ as the largest float32 number: a NaN is among the largest, never placed
 * wherever TopK happens to put it, and no ∞ goes into TopK (tfjs's cpu TopK misplaces it).
 */
const magnitude = (t: tf.Tensor): tf.Tensor => tf.minimum(tf.where(tf.isNaN(t), tf.fill(t.shape, FLOAT32_MAX), tf.abs(t)), FLOAT32_MAX);

/**
 * The flat positions of the `k` largest |values| of `t` (tf.topk over |t|, largest first; NaN
 * and ±∞ count as the largest). Where t's last axis holds its rows (rank 2 and up, at least k rows of at most
 * LONGEST_ROW), found without a tensor of t's size: tfjs-wasm's TopK copies and sorts every
 * element (at 1e6 elements it grew the wasm heap by 8 MB, which never shrinks), and |t| itself
 * is one more such tensor. The k largest lie in the k rows with the largest max |value|: each
 * row's max and min are taken, then those rows alone go through tf.topk. Call inside tf.tidy.
 */
export function largestAbs(t: tf.Tensor, k: number): Int32Array {
  const n = t.size;
  const cols = t.rank >= 2 ? t.shape[t.rank - 1] : n;
  const rows = cols > 0 ? n / cols : 0;
  const wanted = Math.min(k, n);
  if (rows < wanted || cols > LONGEST_ROW || t.rank < 2) return Int32Array.from(tf.topk(magnitude(tf.reshape(t, [-1])), wanted).indices.dataSync());
  const matrix = tf.reshape(t, [rows, cols]);
  // a row holding a NaN: its max or min is NaN (wasm, cpu) and counts as +∞
  const rowLargest = magnitude(tf.maximum(tf.max(matrix, 1), tf.neg(tf.min(matrix, 1))));
  const top = tf.topk(rowLargest, wanted).indices;
  const inRows = tf.topk(magnitude(tf.reshape(tf.gather(matrix, top), [-1])), wanted).indices.dataSync();
  const rowOf = top.dataSync();
  return Int32Array.from(inRows, (p) => rowOf[Math.floor(p / cols)] * cols + (p % cols));
}
