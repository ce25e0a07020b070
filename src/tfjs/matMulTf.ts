import * as tf from '@tensorflow/tfjs';

// The tfjs world's matrix product. tfjs's own gradient of a product a·b asks for products with a
// transposed operand (dy·bᵀ and aᵀ·dy, by matMul's transpose flags). The wasm backend runs those
// ~8× slower than a transpose followed by a plain product (BENCHMARKS.md: 22–26 ms against 3–4
// for [64,512]·[784,512]ᵀ), and at 784-512-10 they were most of a trial's backward pass. On wasm
// the product therefore carries the same vector-Jacobian product written as plain products of
// explicit transposes. The cpu and native backends run the flags at the speed of the transposes,
// so they keep tfjs's own gradient.

type CustomGradient = Parameters<typeof tf.customGrad>[0];

/** The last two axes swapped (a matrix, or a batch of matrices). */
function transposeLast(t: tf.Tensor): tf.Tensor {
  return t.rank === 2 ? tf.transpose(t) : tf.transpose(t, [0, 2, 1]);
}

/**
 * x·yᵀ as a plain product: yᵀ made and multiplied, or (y·xᵀ)ᵀ where that moves fewer numbers
 * (x and the result are smaller than y: the gradient of an input x·W, with W large, then makes
 * no transpose of W's size).
 */
function timesTransposed(x: tf.Tensor, y: tf.Tensor, resultSize: number): tf.Tensor {
  return y.size <= x.size + resultSize ? tf.matMul(x as tf.Tensor3D, transposeLast(y) as tf.Tensor3D) : transposeLast(tf.matMul(y as tf.Tensor3D, transposeLast(x) as tf.Tensor3D));
}

/** xᵀ·y as a plain product: xᵀ made and multiplied, or (yᵀ·x)ᵀ where that moves fewer numbers. */
function transposedTimes(x: tf.Tensor, y: tf.Tensor, resultSize: number): tf.Tensor {
  return x.size <= y.size + resultSize ? tf.matMul(transposeLast(x) as tf.Tensor3D, y as tf.Tensor3D) : transposeLast(tf.matMul(transposeLast(y) as tf.Tensor3D, x as tf.Tensor3D));
}

/**
 * a·b (both 2-d, or both 3-d batches of one size) with the gradient ∂/∂a = dy·bᵀ and
 * ∂/∂b = aᵀ·dy computed by plain products. The backward pass runs under tfjs's tape like any op,
 * so a gradient of a gradient sees through it.
 */
export const matMulPlainGradient: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, [ka, kb]: tf.Tensor[]) => [timesTransposed(dy, kb, ka.size), transposedTimes(ka, dy, kb.size)],
  };
}) as unknown as CustomGradient);

/** The backends whose products with a transposed operand are slow (measured: wasm). */
export const SLOW_TRANSPOSED_PRODUCTS: readonly string[] = ['wasm'];

/** a·b, with a gradient of plain products on a backend where transposed ones are slow. */
export function matMulTf(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return SLOW_TRANSPOSED_PRODUCTS.includes(tf.getBackend()) ? matMulPlainGradient(a, b) : tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);
}
