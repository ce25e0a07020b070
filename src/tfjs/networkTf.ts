import * as tf from '@tensorflow/tfjs';
import type { Activation, Model } from '../scenario/schema';
import { matMulTf } from './matMulTf';

// The TensorFlow.js world: the same network built from the pieces tfjs users train with
// (matMul + bias add, tfjs activations, tf.losses.*). float32 throughout. On wasm the product's
// gradient is written as plain products (matMulTf.ts).

export type EnvTf = Map<string, tf.Tensor>;

export interface OverrideTf {
  symbol: string;
  value: tf.Tensor;
}

const activations: Record<Activation, (z: tf.Tensor) => tf.Tensor> = {
  linear: (z) => z,
  sigmoid: (z) => tf.sigmoid(z),
  tanh: (z) => tf.tanh(z),
  relu: (z) => tf.relu(z),
};

function lossFromLogits(model: Model, y: tf.Tensor, logits: tf.Tensor, output: tf.Tensor): tf.Tensor {
  const sum = tf.Reduction.SUM;
  switch (model.loss.type) {
    case 'softmax-cross-entropy':
      return tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, sum);
    case 'sigmoid-cross-entropy':
      return tf.losses.sigmoidCrossEntropy(y, logits, undefined, undefined, sum);
    case 'mse': {
      const total = tf.losses.meanSquaredError(y, output, undefined, sum);
      return model.loss.half ? tf.mul(total, 0.5) : total;
    }
  }
}

/** The loss written on the output o itself, for gradients with respect to o. */
/**
 * w·log(p) with 0·log(0) = 0, as the reference computes it: where w = 0 the log reads 1 instead
 * of p, so an output that underflows to 0 in float32 gives neither NaN nor a NaN gradient.
 */
function weightedLog(w: tf.Tensor, p: tf.Tensor): tf.Tensor {
  return tf.mul(w, tf.log(tf.where(tf.equal(w, 0), tf.onesLike(p), p)));
}

function lossFromOutput(model: Model, y: tf.Tensor, o: tf.Tensor): tf.Tensor {
  switch (model.loss.type) {
    case 'softmax-cross-entropy':
      return tf.neg(tf.sum(weightedLog(y, o)));
    case 'sigmoid-cross-entropy':
      return tf.neg(tf.sum(tf.add(weightedLog(y, o), weightedLog(tf.sub(1, y), tf.sub(1, o)))));
    case 'mse': {
      const total = tf.losses.meanSquaredError(y, o, undefined, tf.Reduction.SUM);
      return model.loss.half ? tf.mul(total, 0.5) : total;
    }
  }
}

/**
 * ∂E/∂o as the tfjs world gives it: E written on the output o itself (lossFromOutput), divided by
 * N for mean reduction, differentiated by tf.grad at `o`. The network's E is computed from the
 * logits, so o is not on its path; this is the loss with o held.
 */
export function outputGradientTf(model: Model, y: tf.Tensor, o: tf.Tensor): tf.Tensor {
  const N = o.shape[0];
  return tf.grad((q: tf.Tensor) => {
    const total = lossFromOutput(model, y, q);
    return model.loss.reduction === 'mean' ? tf.div(total, N) : total;
  })(o);
}

/**
 * Forward pass of one trial with tfjs ops. With an override, that symbol takes the given tensor
 * (x and a0 are one symbol) and everything after it follows from it, so tf.grad of any function
 * of the environment differentiates through the network. `shifts` adds a tensor (zeros, of the
 * symbol's shape) to each intermediate it names right after it is computed: differentiated
 * together with the parameters, their gradients are ∂E/∂(that intermediate), from one backward
 * pass.
 */
export function forwardNetworkTf(model: Model, tensors: EnvTf, override?: OverrideTf, shifts?: EnvTf): EnvTf {
  const env: EnvTf = new Map();
  const pick = (name: string, compute: () => tf.Tensor): tf.Tensor => {
    const held = override && (override.symbol === name || (name === 'x' && override.symbol === 'a0'));
    const shift = held ? undefined : shifts?.get(name);
    const value = held ? override.value : shift ? tf.add(compute(), shift) : compute();
    env.set(name, value);
    return value;
  };
  const L = model.layers.length;
  const N = tensors.get('x')!.shape[0];
  let a = pick('x', () => tensors.get('x')!);
  env.set('a0', a);
  model.layers.forEach((layer, i) => {
    pick(`W${i + 1}`, () => tensors.get(`W${i + 1}`)!);
    if (layer.bias) pick(`b${i + 1}`, () => tensors.get(`b${i + 1}`)!);
  });
  for (let l = 1; l <= L; l++) {
    const layer = model.layers[l - 1];
    const previous = a;
    const net = pick(`net${l}`, () => {
      const z = matMulTf(previous, env.get(`W${l}`)!);
      return layer.bias ? tf.add(z, env.get(`b${l}`)!) : z;
    });
    a = pick(`a${l}`, () => activations[layer.activation](net));
  }
  // CE losses require a linear last layer, so aL is the logits netL.
  const logits = a;
  const o = pick('o', () => {
    switch (model.loss.type) {
      case 'softmax-cross-entropy':
        return tf.softmax(logits);
      case 'sigmoid-cross-entropy':
        return tf.sigmoid(logits);
      case 'mse':
        return logits;
    }
  });
  const y = pick('y', () => tensors.get('y')!);
  pick('E', () => {
    const total = override?.symbol === 'o' ? lossFromOutput(model, y, o) : lossFromLogits(model, y, logits, o);
    return model.loss.reduction === 'mean' ? tf.div(total, N) : total;
  });
  return env;
}
