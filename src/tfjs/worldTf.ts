import * as tf from '@tensorflow/tfjs';
import type { World } from '../formula/algebra';
import { parameterNames } from '../model/symbols';
import type { Scenario } from '../scenario/schema';
import { algebraTf } from './algebraTf';
import { forwardTf, type TrialTensors } from './networkTf';

/** The trial's tensors with the parameters (named W1, b1, … in `names` order) replaced. */
function withParameters(inputs: TrialTensors, names: string[], params: tf.Tensor[]): TrialTensors {
  return {
    ...inputs,
    weights: inputs.weights.map((_, i) => params[names.indexOf(`W${i + 1}`)] as tf.Tensor2D),
    biases: inputs.biases.map((b, i) => (b ? (params[names.indexOf(`b${i + 1}`)] as tf.Tensor1D) : null)),
  };
}

/**
 * The TensorFlow.js world of one trial: float32 forward pass from tfjs pieces, derivatives by
 * tf.grad (one vector-Jacobian product per output of F), next(P) by tf.train.sgd on variables.
 * Call inside tf.tidy; variables made by next() are disposed here.
 */
export function tfjsWorld(scenario: Scenario, inputs: TrialTensors): World<tf.Tensor> {
  const { model } = scenario;
  const env = forwardTf(model, inputs);
  return {
    name: 'tfjs',
    algebra: algebraTf,
    env,
    gradient(symbol, outputs, f) {
      const base = env.get(symbol);
      if (!base) throw new Error(`no symbol ${symbol} in this network`);
      const g = tf.grad((q: tf.Tensor) => f(forwardTf(model, inputs, { symbol, value: q })));
      const rows: tf.Tensor[] = [];
      for (let c = 0; c < outputs; c++) {
        const dy = new Float32Array(outputs);
        dy[c] = 1;
        rows.push(g(base, tf.tensor1d(dy)));
      }
      return tf.stack(rows);
    },
    gradientScale() {
      const names = parameterNames(model);
      return tf.tidy(() => {
        const grads = tf.grads((...ps: tf.Tensor[]) => forwardTf(model, withParameters(inputs, names, ps)).get('E')!)(names.map((n) => env.get(n)!));
        return Math.max(0, ...grads.map((g) => tf.max(tf.abs(g)).dataSync()[0]));
      });
    },
    next(symbol) {
      if (!scenario.optimizer) throw new Error('next() needs an optimizer in the scenario');
      const names = parameterNames(model);
      const variables = new Map(names.map((name) => [name, tf.variable(env.get(name)!.clone(), true, undefined)]));
      const optimizer = tf.train.sgd(scenario.optimizer.learningRate);
      try {
        const shadow = withParameters(inputs, names, names.map((n) => variables.get(n)!));
        optimizer.minimize(() => forwardTf(model, shadow).get('E') as tf.Scalar, false, [...variables.values()]);
        return variables.get(symbol)!.clone();
      } finally {
        optimizer.dispose();
        for (const v of variables.values()) v.dispose();
      }
    },
  };
}
