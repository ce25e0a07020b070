import * as tf from '@tensorflow/tfjs';
import type { Model } from '../scenario/schema';
import { forwardTf, type TrialTensors } from './networkTf';

/** ∂E/∂symbol by tfjs autodiff, the symbol held at its forward value. */
export function lossGradientTf(model: Model, inputs: TrialTensors, symbol: string): tf.Tensor {
  return tf.tidy(() => {
    const base = forwardTf(model, inputs).get(symbol);
    if (!base) throw new Error(`no symbol ${symbol} in this network`);
    return tf.grad((q: tf.Tensor) => forwardTf(model, inputs, { symbol, value: q }).get('E')!)(base);
  });
}
