import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../src/foundation/random';
import { computationOf } from '../../src/scenario/computationOf';
import { referenceWorld } from '../../src/reference/world64';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../../src/tfjs/trialTensors';
import { tfjsTrial, tfjsWorld } from '../../src/tfjs/worldTf';
import { useSpecBackend } from '../support/backend';

// next(P) in the two worlds: tf.train.* in float32 against the float64 rules of the reference,
// every parameter of random networks, for every optimizer and 1 to 3 steps. Both worlds must
// compute the same function: their steps next(P) − P agree to float32's precision.

useSpecBackend();

/**
 * Allowed |Δtfjs − Δreference| per element, as a share of the parameter's largest step. Float32
 * rounds P (|P| up to ~2, 1.2e-7 per rounding) and the gradient (~1e-7 of it), and tfjs takes
 * Adam's bias correction 1 − β2^t from β2 rounded to float32 (6e-6 of the step). Measured here:
 * at most 5.4e-5 (wasm and cpu). A rule off by 1% is far outside it.
 */
const STEP_SHARE = 1e-3;

/** Random small networks (seeded): 1 to 3 layers of 1 to 5 units, any activation, loss and batch. */
function randomNetworks(count: number): ScenarioInput[] {
  const rng = new SeededRandom(16);
  const pick = <T>(xs: readonly T[]): T => xs[rng.integer(xs.length)];
  return Array.from({ length: count }, (_, n) => {
    const loss = pick(['softmax-cross-entropy', 'sigmoid-cross-entropy', 'mse'] as const);
    const depth = 1 + rng.integer(3);
    const layers = Array.from({ length: depth }, (_, l) => ({
      units: l === depth - 1 ? 2 + rng.integer(3) : 1 + rng.integer(5),
      activation: l === depth - 1 && loss !== 'mse' ? 'linear' : pick(['linear', 'sigmoid', 'tanh', 'relu'] as const),
      bias: rng.integer(2) === 1,
      init: { normal: [0, 0.8] as [number, number] },
    }));
    const batch = 1 + rng.integer(4);
    const data = loss === 'mse' ? { batch, targets: { uniform: [-1, 1] as [number, number] } } : { batch, labels: { random: true as const } };
    return { title: `random network ${n}`, seed: 100 + n, model: { inputs: 2 + rng.integer(4), layers, loss: { type: loss } }, data };
  });
}

const OPTIMIZERS: Record<string, unknown>[] = [
  { type: 'sgd', learningRate: 0.1 },
  { type: 'momentum', learningRate: 0.1, momentum: 0.9 },
  { type: 'momentum', learningRate: 0.05, momentum: 0.5, nesterov: true },
  { type: 'rmsprop', learningRate: 0.01 },
  { type: 'rmsprop', learningRate: 0.01, decay: 0.8, momentum: 0.3 },
  // tfjs's centered RMSProp with its own epsilon is NaN wherever 0.09·g² < 1e-7 (spec/reference/optimizers64.spec.ts)
  { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, centered: true, epsilon: 0 },
  { type: 'adam', learningRate: 0.01 },
  { type: 'adam', learningRate: 0.05, beta1: 0.5, beta2: 0.9, epsilon: 1e-5 },
];

interface Disagreement {
  parameter: string;
  element: number;
  tfjs: number;
  reference: number;
  allowed: number;
}

/** Every element of every parameter where the two worlds' next(P) part by more than STEP_SHARE of the largest step. */
function disagreements(scenario: Scenario): { disagreements: Disagreement[] } {
  const values = drawTrial(scenario, 0);
  const reference = referenceWorld(scenario, values);
  const inputs = trialTensors(values);
  const trial = tfjsTrial(scenario, values, inputs);
  const found: Disagreement[] = [];
  try {
    tf.tidy(() => {
      const world = tfjsWorld(trial);
      for (const name of computationOf(scenario).parameters) {
        const start = world.env.get(name)!.dataSync();
        const ref = reference.next(name).data;
        const got = world.next(name).dataSync();
        let largest = 0;
        // an element that is NaN in both worlds (0/0 of RMSProp with epsilon 0 where g = 0) agrees
        for (let i = 0; i < ref.length; i++) if (!Number.isNaN(ref[i])) largest = Math.max(largest, Math.abs(ref[i] - start[i]));
        const allowed = STEP_SHARE * largest + 1e-7 * Math.abs(start[0]);
        for (let i = 0; i < ref.length; i++) {
          if (Number.isNaN(ref[i]) && Number.isNaN(got[i])) continue;
          const off = Math.abs(got[i] - ref[i]);
          if (!(off <= allowed)) found.push({ parameter: name, element: i, tfjs: got[i], reference: ref[i], allowed });
        }
      }
    });
  } finally {
    trial.dispose();
    disposeTrialTensors(inputs);
  }
  return { disagreements: found };
}

describe('next(P): tfjs and the float64 reference agree on random networks', () => {
  const networks = randomNetworks(6);
  const cases = networks.flatMap((network, n) =>
    OPTIMIZERS.flatMap((optimizer) => [1, 2, 3].map((steps) => ({ label: `network ${n}, ${JSON.stringify(optimizer)}, steps ${steps}`, network, optimizer: { ...optimizer, steps } }))),
  );

  it.each(cases)('$label', ({ label, network, optimizer }) => {
    const result = disagreements(Scenario.parse({ ...network, optimizer }));
    expect({ label, disagreements: result.disagreements }).toEqual({ label, disagreements: [] });
  });
});
