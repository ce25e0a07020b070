import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { referenceWorld } from '../../src/reference/world64';
import { loadScenarioFile } from '../../src/load/loadScenario';
import type { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../../src/tfjs/trialTensors';
import { tfjsTrial } from '../../src/tfjs/worldTf';
import { useSpecBackend } from '../support/backend';

// The article's demo (DESIGN §5 item 8): x = rand(1, 10), Linear(10,20) and Linear(20,2) without
// bias, all weights 0.1, cross-entropy. Both outputs are equal, so o = (½, ½): the loss is ln 2,
// the first layer's gradient is exactly zero (in float64; in float32 to the last bit of the
// second layer's), and the second layer's is ∓½·t with t = 0.1·Σx.

function load(name: string): Scenario {
  const loaded = loadScenarioFile(join(__dirname, '..', '..', 'scenarios', 'article', name));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.scenario;
}

useSpecBackend();

describe.each([
  ['demo-label0.json', 0],
  ['demo-label1.json', 1],
])('article demo %s', (file, label) => {
  const scenario = load(file);
  const trials = Array.from({ length: scenario.trials }, (_, t) => t);
  const sign = label === 0 ? [-1, 1] : [1, -1];

  it.each(trials)('trial %i: loss ln 2, ∂E/∂W1 = 0 exactly, ∂E/∂W2 = ∓0.5·t (reference world)', (trial) => {
    const values = drawTrial(scenario, trial);
    // the weights are 0.1 rounded to float32, as both worlds get them
    const t = Math.fround(0.1) * Array.from(values.tensors.get('x')!.data).reduce((a, b) => a + b, 0);
    // the world's ∂E/∂P, the one the claims and the built-in gradient check read
    const world = referenceWorld(scenario, values);
    expect(world.env.get('E')!.data[0]).toBeCloseTo(Math.LN2, 12);
    const g1 = world.lossGradient!('W1')!;
    expect(Array.from(g1.data).filter((v) => v !== 0)).toEqual([]);
    const g2 = world.lossGradient!('W2')!;
    for (let j = 0; j < 20; j++) {
      for (let k = 0; k < 2; k++) {
        const got = g2.data[j * 2 + k];
        const want = sign[k] * 0.5 * t;
        expect({ j, k, got, close: Math.abs(got - want) <= 1e-9 * Math.abs(want) }).toEqual({ j, k, got, close: true });
      }
    }
  });

  it.each(trials)('trial %i: loss ln 2, ∂E/∂W1 = 0 exactly, ∂E/∂W2 = ∓0.5·t (tfjs world)', (trial) => {
    const before = tf.memory().numTensors;
    const values = drawTrial(scenario, trial);
    const t = Math.fround(0.1) * Array.from(values.tensors.get('x')!.data).reduce((a, b) => a + b, 0);
    const inputs = trialTensors(values);
    // the trial's forward pass and ∂E/∂P from its one tf.grads, as the claims get them
    const tfTrial = tfjsTrial(scenario, values, inputs, { withGradients: true });
    try {
      const loss = tfTrial.env.get('E')!.dataSync()[0];
      expect(Math.abs(loss - Math.LN2)).toBeLessThan(1e-6);
      const w1 = Array.from(tfTrial.lossGradient('W1')!.dataSync());
      const w2 = Array.from(tfTrial.lossGradient('W2')!.dataSync());
      // float32 softmax of two equal logits is 0.5 + δ, not 0.5, so ∂E/∂W1 = 0.2·δ·x: zero to
      // float32 resolution next to ∂E/∂W2 (bitwise zero in some trials, ~1e-9 in others).
      const resolution = 2 ** -23 * Math.max(...w2.map(Math.abs));
      expect(w1.filter((v) => Math.abs(v) > resolution)).toEqual([]);
      w2.forEach((got, i) => {
        const want = sign[i % 2] * 0.5 * t;
        expect({ i, got, close: Math.abs(got - want) <= 1e-5 * Math.abs(want) }).toEqual({ i, got, close: true });
      });
    } finally {
      tfTrial.dispose();
      disposeTrialTensors(inputs);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
