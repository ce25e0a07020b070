import * as tf from '@tensorflow/tfjs';

// The tfjs world's matrix product. tfjs's own gradient of a product a·b asks for products with a
// transposed operand (dy·bᵀ and aᵀ·dy, by matMul's transpose flags). The wasm backend runs those
// ~8× slower than a transpose followed by a plain product (BENCHMARKS.md: 22–26 ms against 3–4
// for [64,512]·[784,512]ᵀ), and at 784-512-10 they were most of a trial's backward pass. On wasm
// the product therefore carries the same vector-Jacobian product written as plain products of
// explicit transposes. The cpu and native backends run the flags at the speed of the transposes,
// so they keep tfjs's own gradient.

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

/** The kernel of a product with that gradient: tfjs's BatchMatMul, registered again under this name on a backend. */
export const PLAIN_GRADIENT_MATMUL = 'DerivcheckPlainGradientMatMul';

/** The backends the kernel is registered for (looked up on every product: the registry's own lookup walks every kernel). */
const registered = new Set<string>();

/**
 * The kernel and its gradient, registered once per backend. The gradient is one function per
 * operand, which tfjs's tape calls only for an operand on the path to what is differentiated (an
 * input x's ∂x is not computed when only the weights are); tf.customGrad would compute both.
 */
function registerFor(backendName: string): void {
  if (registered.has(backendName)) return;
  registered.add(backendName);
  // another copy of this module in the process (two installs) may have registered it already
  if (tf.getKernelsForBackend(backendName).some((k) => k.kernelName === PLAIN_GRADIENT_MATMUL)) return;
  const product = tf.getKernel('BatchMatMul', backendName);
  tf.registerKernel({
    kernelName: PLAIN_GRADIENT_MATMUL,
    backendName,
    kernelFunc: ({ inputs, backend }) => product.kernelFunc({ inputs, backend, attrs: { transposeA: false, transposeB: false } }),
  });
  if (tf.getGradient(PLAIN_GRADIENT_MATMUL) === undefined) {
    tf.registerGradient({
      kernelName: PLAIN_GRADIENT_MATMUL,
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved) => {
        const [a, b] = saved;
        const g = dy as tf.Tensor;
        return { a: () => timesTransposed(g, b, a.size), b: () => transposedTimes(a, g, b.size) };
      },
    });
  }
}

/**
 * a·b (both 2-d, or both 3-d batches of one size) with the gradient ∂/∂a = dy·bᵀ and
 * ∂/∂b = aᵀ·dy computed by plain products. The backward pass runs under tfjs's tape like any op,
 * so a gradient of a gradient sees through it.
 */
export function matMulPlainGradient(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  registerFor(tf.getBackend());
  return tf.engine().runKernel(PLAIN_GRADIENT_MATMUL, { a, b }, {}) as tf.Tensor;
}

/** The backends whose products with a transposed operand are slow (measured: wasm). */
export const SLOW_TRANSPOSED_PRODUCTS: readonly string[] = ['wasm'];

/** a·b, with a gradient of plain products on a backend where transposed ones are slow. */
export function matMulTf(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return SLOW_TRANSPOSED_PRODUCTS.includes(tf.getBackend()) ? matMulPlainGradient(a, b) : tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);
}
