import * as tf from '@tensorflow/tfjs';

/**
 * ∂f/∂x for each of `xs` by tfjs autodiff (with `dy`: the vector-Jacobian product, as
 * tf.grad(f)(x, dy)), and a zero gradient for an x that f does not depend on: a loss need not read
 * every tensor or definition, and a claim's F need not depend on Q, where tf.grad and tf.grads
 * throw. The forward value is disposed; the gradients belong to the caller's scope.
 */
export function gradsOrZeros(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor): tf.Tensor[] {
  return tf.tidy(() => {
    const { grads } = tf.engine().gradients(() => f(...xs), xs, dy, true);
    return grads.map((g, i) => g ?? tf.zerosLike(xs[i]));
  });
}
