import { SeededRandom, trialSeed } from '../foundation/random';
import type { Scenario, TensorSpec } from './schema';
import { layerWidths } from '../model/symbols';
import { sizeOf, tensor64, type Tensor64 } from '../foundation/tensor';
import { flattenNested, nestedShape } from '../foundation/nested';

/** Every number one trial starts from, already rounded to float32: both worlds get exactly these. */
export interface TrialValues {
  trial: number;
  seed: number;
  x: Tensor64;
  /** kept in Float32Array storage (they are float32 numbers): at scale half the memory of float64 */
  weights: Tensor64[];
  biases: (Tensor64 | null)[];
  /** targets [N, dL]: one-hot of the labels for classification */
  y: Tensor64;
  labels: number[] | null;
  constants: Map<string, Tensor64>;
}

function fill(spec: TensorSpec, shape: number[], rng: SeededRandom, storage: Float64ArrayConstructor | Float32ArrayConstructor = Float64Array): Tensor64 {
  const n = sizeOf(shape);
  const out = new storage(n);
  if ('constant' in spec) out.fill(Math.fround(spec.constant));
  else if ('uniform' in spec) for (let i = 0; i < n; i++) out[i] = Math.fround(rng.uniform(spec.uniform[0], spec.uniform[1]));
  else if ('normal' in spec) for (let i = 0; i < n; i++) out[i] = Math.fround(rng.normal(spec.normal[0], spec.normal[1]));
  else {
    const flat = flattenNested(spec.values);
    const given = nestedShape(spec.values);
    if (flat.length !== n) throw new Error(`values of shape [${given}] do not fill shape [${shape}]`);
    for (let i = 0; i < n; i++) out[i] = Math.fround(flat[i]);
  }
  // `out` is this tensor's own array: no copy (at scale a copy is one more array of the network's size)
  return { shape: [...shape], data: out };
}

/** Draws trial `trial` of a scenario: x, then each layer's W and b, then labels or targets. */
export function drawTrial(scenario: Scenario, trial: number, seedOverride?: number): TrialValues {
  const seed = trialSeed(seedOverride ?? scenario.seed, trial);
  const rng = new SeededRandom(seed);
  const { model, data } = scenario;
  const d = layerWidths(model);
  const N = data.batch;
  const dL = d[d.length - 1];
  const x = fill(data.x, [N, d[0]], rng);
  const weights: Tensor64[] = [];
  const biases: (Tensor64 | null)[] = [];
  model.layers.forEach((layer, i) => {
    weights.push(fill(layer.init, [d[i], d[i + 1]], rng, Float32Array));
    biases.push(layer.bias ? fill(layer.biasInit, [d[i + 1]], rng) : null);
  });
  let labels: number[] | null = null;
  let y: Tensor64;
  if (data.targets !== undefined) {
    y = fill(data.targets, [N, dL], rng);
  } else {
    const given = data.labels;
    labels = Array.isArray(given) ? [...given] : Array.from({ length: N }, () => rng.integer(dL));
    y = tensor64([N, dL]);
    labels.forEach((label, n) => (y.data[n * dL + label] = 1));
  }
  const constants = new Map<string, Tensor64>();
  for (const [name, value] of Object.entries(scenario.constants)) {
    constants.set(name, tensor64(nestedShape(value), flattenNested(value).map(Math.fround)));
  }
  return { trial, seed, x, weights, biases, y, labels, constants };
}
