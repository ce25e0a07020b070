import * as tf from '@tensorflow/tfjs';
import type { Tensor64 } from '../foundation/tensor';
import type { TrialValues } from '../scenario/trialValues';

// One trial's numbers as tfjs tensors: every tensor of the computation and the constants, the
// very numbers the reference world starts from (float32 already).

/** Tensors by name. */
export type EnvTf = Map<string, tf.Tensor>;

/** One symbol held at a given tensor; everything computed from it follows it. */
export interface OverrideTf {
  symbol: string;
  value: tf.Tensor;
}

export function toTf(t: Tensor64): tf.Tensor {
  // the wasm backend copies the values into its own heap: float32 storage goes as it is (no
  // copy of the network's size); other backends may keep the array given, so they get their own
  const own = t.data instanceof Float32Array && tf.getBackend() === 'wasm';
  return tf.tensor(own ? t.data : new Float32Array(t.data), t.shape, 'float32');
}

/** The trial's tensors and constants, uploaded (the caller disposes them with disposeTrialTensors). */
export function trialTensors(values: TrialValues): EnvTf {
  const tensors: EnvTf = new Map();
  for (const [name, t] of values.tensors) tensors.set(name, toTf(t));
  for (const [name, t] of values.constants) tensors.set(name, toTf(t));
  return tensors;
}

export function disposeTrialTensors(tensors: EnvTf): void {
  tf.dispose([...tensors.values()]);
}
