import { flattenNested, nestedShape } from '../foundation/nested';
import { SeededRandom, trialSeed } from '../foundation/random';
import { sizeOf, type Tensor64 } from '../foundation/tensor';
import type { Draw } from './blueprint';
import { computationOf } from './computationOf';
import type { Scenario, TensorSpec } from './schema';

/** Every number one trial starts from, real ones already rounded to float32: both worlds get exactly these. */
export interface TrialValues {
  trial: number;
  seed: number;
  /** every tensor of the computation, by name, in the order they are drawn */
  tensors: Map<string, Tensor64>;
  constants: Map<string, Tensor64>;
}

/** Real numbers are float32 numbers: kept in Float32Array storage (at scale half the memory of float64). */
function fill(spec: TensorSpec, shape: number[], rng: SeededRandom): Tensor64 {
  const n = sizeOf(shape);
  const out = new Float32Array(n);
  if ('constant' in spec) out.fill(Math.fround(spec.constant));
  else if ('uniform' in spec) for (let i = 0; i < n; i++) out[i] = Math.fround(rng.uniform(spec.uniform[0], spec.uniform[1]));
  else if ('normal' in spec) rng.fillNormal(out, spec.normal[0], spec.normal[1]);
  else {
    const flat = flattenNested(spec.values);
    if (flat.length !== n) throw new Error(`values of shape [${nestedShape(spec.values)}] do not fill shape [${shape}]`);
    for (let i = 0; i < n; i++) out[i] = Math.fround(flat[i]);
  }
  // `out` is this tensor's own array: no copy (at scale a copy is one more array of the network's size)
  return { shape: [...shape], data: out };
}

function draw(how: Draw, shape: number[], rng: SeededRandom): Tensor64 {
  switch (how.kind) {
    case 'real':
      return fill(how.spec, shape, rng);
    case 'integer': {
      const n = sizeOf(shape);
      const data = how.values ? Float64Array.from(flattenNested(how.values)) : Float64Array.from({ length: n }, () => rng.integer(how.classes));
      return { shape: [...shape], data };
    }
    case 'labels': {
      // one row per label, one-hot over the classes
      const [rows, classes] = shape;
      const labels = how.labels === 'random' ? Array.from({ length: rows }, () => rng.integer(classes)) : how.labels;
      const data = new Float64Array(rows * classes);
      labels.forEach((label, r) => (data[r * classes + label] = 1));
      return { shape: [...shape], data };
    }
  }
}

/** Draws trial `trial` of a scenario: its tensors in order (a network: x, then each layer's W and b, then labels or targets). */
export function drawTrial(scenario: Scenario, trial: number, seedOverride?: number): TrialValues {
  const computation = computationOf(scenario);
  const seed = trialSeed(seedOverride ?? scenario.seed, trial);
  const rng = new SeededRandom(seed);
  const tensors = new Map<string, Tensor64>();
  for (const t of computation.tensors) tensors.set(t.name, draw(t.draw, t.shape, rng));
  return { trial, seed, tensors, constants: computation.constants };
}
