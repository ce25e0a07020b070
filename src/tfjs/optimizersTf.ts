import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../scenario/schema';

/**
 * tfjs's own optimizer for each type, with every hyper-parameter given explicitly (the schema's
 * defaults are tfjs's, so a scenario that leaves one out gets what tf.train.* would pick).
 */
const CONSTRUCTORS: { [K in Optimizer['type']]: (o: Extract<Optimizer, { type: K }>) => tf.Optimizer } = {
  sgd: (o) => tf.train.sgd(o.learningRate),
  momentum: (o) => tf.train.momentum(o.learningRate, o.momentum, o.nesterov),
  rmsprop: (o) => tf.train.rmsprop(o.learningRate, o.decay, o.momentum, o.epsilon, o.centered),
  adam: (o) => tf.train.adam(o.learningRate, o.beta1, o.beta2, o.epsilon),
};

/**
 * The parameters after `optimizer.steps` calls of tf.train.*'s minimize on `loss`, each step
 * taken at the values the step before left in `variables` (which it changes). Returns a copy of
 * each variable's final value (the caller disposes them, and the variables); the optimizer and
 * its state are disposed here.
 */
export function optimizeTf(variables: ReadonlyMap<string, tf.Variable>, loss: () => tf.Scalar, optimizer: Optimizer): Map<string, tf.Tensor> {
  const made = (CONSTRUCTORS[optimizer.type] as (o: Optimizer) => tf.Optimizer)(optimizer);
  const list = [...variables.values()];
  try {
    for (let step = 0; step < optimizer.steps; step++) made.minimize(loss, false, list);
    return new Map([...variables].map(([name, v]) => [name, v.clone()]));
  } finally {
    made.dispose();
    disposeLearningRate(made);
  }
}

/**
 * tf.train.momentum's dispose frees its own tensors but not the −lr scalar its SGD base keeps
 * (tfjs-core 4.22, MomentumOptimizer.dispose does not call SGDOptimizer.dispose).
 */
function disposeLearningRate(made: tf.Optimizer): void {
  if (made instanceof tf.MomentumOptimizer) {
    const c = (made as unknown as { c?: tf.Tensor }).c;
    if (c && !c.isDisposed) c.dispose();
  }
}
