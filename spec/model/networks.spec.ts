import * as tf from '@tensorflow/tfjs';
import { relative } from 'node:path';
import { forward64 } from '../../src/reference/network64';
import { tensor64 } from '../../src/foundation/tensor';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, forwardTf, trialTensors } from '../../src/tfjs/networkTf';
import { useSpecBackend } from '../support/backend';
import { loadValid, root, shippedScenarioFiles } from '../support/shippedScenarios';

// The two worlds' forward passes: tfjs (float32, library ops) against the float64 reference
// (plain loops), and the reference's loss against values worked out by hand.

const files = shippedScenarioFiles();
const load = loadValid;

/**
 * float32 forward pass against float64, relative to the largest element of the same tensor.
 * measured on trial 0 of the shipped scenarios: worst 1.5e-7 (wasm), 7.5e-8 (cpu).
 */
const FORWARD_RTOL = 1e-5;

useSpecBackend();

describe('forward pass: tfjs agrees with the float64 reference (trial 0)', () => {
  it.each(files.map((f) => [relative(root, f), f]))('%s', (_name, file) => {
    const scenario = load(file);
    const L = scenario.model.layers.length;
    const symbols = ['E', 'o', ...Array.from({ length: L }, (_, i) => [`net${i + 1}`, `a${i + 1}`]).flat()];
    const values = drawTrial(scenario, 0);
    const reference = forward64(scenario.model, values);
    const inputs = trialTensors(values);
    const got = new Map<string, { shape: number[]; data: Float32Array }>();
    try {
      tf.tidy(() => {
        const env = forwardTf(scenario.model, inputs);
        for (const s of symbols) got.set(s, { shape: env.get(s)!.shape, data: env.get(s)!.dataSync() as Float32Array });
      });
    } finally {
      disposeTrialTensors(inputs);
    }
    const past = symbols.flatMap((s): Record<string, unknown>[] => {
      const ref = reference.get(s)!;
      const tfjs = got.get(s)!;
      if (tfjs.shape.join() !== ref.shape.join()) return [{ symbol: s, tfjsShape: tfjs.shape, referenceShape: ref.shape }];
      const allowed = FORWARD_RTOL * Math.max(1e-3, ...Array.from(ref.data, Math.abs));
      return Array.from(ref.data).flatMap((r, i) => {
        const t = tfjs.data[i];
        return Math.abs(t - r) <= allowed ? [] : [{ symbol: s, index: i, tfjs: t, reference: r, difference: Math.abs(t - r), allowed }];
      });
    });
    expect(past).toEqual([]);
  });
});

// A 2-2 network with exact binary numbers, batch 2:
//   x = [[1, 2], [0.5, −1]], W1 = [[0.5, −0.25], [0.25, 0.5]], b1 = [0.5, −0.5]
//   net1 = x·W1 + b1 = [[1.5, 0.25], [0.5, −1.125]]; labels [0, 1], so y = [[1, 0], [0, 1]].
const tiny: ScenarioInput = {
  title: 'tiny network with exact values',
  model: {
    inputs: 2,
    layers: [{ units: 2, init: { values: [[0.5, -0.25], [0.25, 0.5]] }, biasInit: { values: [0.5, -0.5] } }],
    loss: { type: 'softmax-cross-entropy' },
  },
  data: { batch: 2, x: { values: [[1, 2], [0.5, -1]] }, labels: [0, 1] },
};
const NET1 = [[1.5, 0.25], [0.5, -1.125]];
const Y = [[1, 0], [0, 1]];

function tinyWith(loss: ScenarioInput['model']['loss'], data: Partial<ScenarioInput['data']> = {}): Scenario {
  return Scenario.parse({ ...tiny, model: { ...tiny.model, loss }, data: { ...tiny.data, ...data } });
}

/** Σ over the batch of −log softmax(net)[label], written out for two classes. */
const softmaxCrossEntropySum = -Math.log(Math.exp(1.5) / (Math.exp(1.5) + Math.exp(0.25))) - Math.log(Math.exp(-1.125) / (Math.exp(0.5) + Math.exp(-1.125)));
/** Σ over every element of −[y log σ(net) + (1 − y) log(1 − σ(net))]. */
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const sigmoidCrossEntropySum = NET1.flat().reduce((s, z, i) => {
  const y = Y.flat()[i];
  return s - (y * Math.log(sigmoid(z)) + (1 - y) * Math.log(1 - sigmoid(z)));
}, 0);
// targets [[1, 0], [0, 1]]: (0.5² + 0.25²) + (0.5² + 2.125²) = 0.3125 + 4.765625
const squaredErrorSum = 5.078125;

describe('the float64 loss E equals a value computed by hand (tiny network)', () => {
  it.each<[string, ScenarioInput['model']['loss'], Partial<ScenarioInput['data']>, number]>([
    ['softmax-cross-entropy, mean', { type: 'softmax-cross-entropy', reduction: 'mean' }, {}, softmaxCrossEntropySum / 2],
    ['softmax-cross-entropy, sum', { type: 'softmax-cross-entropy', reduction: 'sum' }, {}, softmaxCrossEntropySum],
    ['sigmoid-cross-entropy, mean', { type: 'sigmoid-cross-entropy', reduction: 'mean' }, {}, sigmoidCrossEntropySum / 2],
    ['sigmoid-cross-entropy, sum', { type: 'sigmoid-cross-entropy', reduction: 'sum' }, {}, sigmoidCrossEntropySum],
    ['mse, mean', { type: 'mse', reduction: 'mean' }, { labels: undefined, targets: { values: Y } }, squaredErrorSum / 2],
    ['mse, sum', { type: 'mse', reduction: 'sum' }, { labels: undefined, targets: { values: Y } }, squaredErrorSum],
    ['mse, mean, half', { type: 'mse', reduction: 'mean', half: true }, { labels: undefined, targets: { values: Y } }, squaredErrorSum / 4],
    ['mse, sum, half', { type: 'mse', reduction: 'sum', half: true }, { labels: undefined, targets: { values: Y } }, squaredErrorSum / 2],
  ])('%s', (_name, loss, data, expected) => {
    const scenario = tinyWith(loss, data);
    const env = forward64(scenario.model, drawTrial(scenario, 0));
    const net1 = env.get('net1')!.data;
    expect({ net1: [Array.from(net1.slice(0, 2)), Array.from(net1.slice(2))], E: env.get('E')!.data[0] }).toEqual({
      net1: NET1,
      E: expect.closeTo(expected, 14),
    });
  });
});

describe('forward64 with an override', () => {
  const scenario = tinyWith({ type: 'softmax-cross-entropy', reduction: 'mean' });
  const values = drawTrial(scenario, 0);
  const plain = forward64(scenario.model, values);
  // equal logits in both rows: o = (½, ½) and E = ln 2 whatever the labels
  const held = forward64(scenario.model, values, { symbol: 'net1', value: tensor64([2, 2], [0, 0, 0, 0]) });
  const arrays = (env: typeof plain, names: string[]): Record<string, number[]> =>
    Object.fromEntries(names.map((n) => [n, Array.from(env.get(n)!.data)]));

  it('changes net1 and everything after it', () => {
    expect(arrays(held, ['net1', 'a1', 'o', 'E'])).toEqual({ net1: [0, 0, 0, 0], a1: [0, 0, 0, 0], o: [0.5, 0.5, 0.5, 0.5], E: [Math.LN2] });
    expect(held.get('E')!.data[0]).not.toBe(plain.get('E')!.data[0]);
  });

  it('leaves x and W1 (before net1) as they were', () => {
    expect(arrays(held, ['x', 'a0', 'W1', 'b1', 'y'])).toEqual(arrays(plain, ['x', 'a0', 'W1', 'b1', 'y']));
  });
});
