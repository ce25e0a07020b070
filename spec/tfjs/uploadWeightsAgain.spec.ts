import * as tf from '@tensorflow/tfjs';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../../src/tfjs/networkTf';
import { tfjsTrial, tfjsWorld } from '../../src/tfjs/worldTf';
import { useSpecBackend } from '../support/backend';

// uploadWeightsAgain swaps a trial's large weight tensors for fresh uploads of the same values
// (on wasm, so that XNNPACK's packed copies of them go): nothing a claim reads may change, and
// nothing may leak.

const scenario = Scenario.parse({
  title: 'upload again',
  seed: 2,
  model: { inputs: 6, layers: [{ units: 5, activation: 'tanh' }, { units: 3 }], loss: { type: 'softmax-cross-entropy' } },
  data: { batch: 4, labels: { random: true } },
  optimizer: { type: 'sgd', learningRate: 0.1 },
});

useSpecBackend();

describe('TfTrial.uploadWeightsAgain', () => {
  it('swaps the weights at least minSize large for equal tensors, disposes the old ones, and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const values = drawTrial(scenario, 0);
    const inputs = trialTensors(values);
    const trial = tfjsTrial(scenario, inputs, { withGradients: true, alsoDifferentiate: ['x'] });
    const [W1, W2] = inputs.weights;
    const grads = ['W1', 'b1', 'W2', 'b2'].map((p) => Array.from(trial.lossGradient(p)!.dataSync()));
    const E = trial.env.get('E')!.dataSync()[0];
    const count = tf.memory().numTensors;
    // W1 has 30 elements, W2 15: only W1 is swapped
    trial.uploadWeightsAgain(values.weights, 20);
    expect(W1.isDisposed).toBe(true);
    expect(inputs.weights[0]).not.toBe(W1);
    expect(inputs.weights[1]).toBe(W2);
    expect(trial.env.get('W1')).toBe(inputs.weights[0]);
    expect(Array.from(inputs.weights[0].dataSync())).toEqual(Array.from(values.weights[0].data));
    expect(tf.memory().numTensors).toBe(count);
    // what the claims read is as before, and what is computed after uses the fresh tensor
    expect(['W1', 'b1', 'W2', 'b2'].map((p) => Array.from(trial.lossGradient(p)!.dataSync()))).toEqual(grads);
    expect(trial.env.get('E')!.dataSync()[0]).toBe(E);
    expect(trial.lossGradient('x')!.shape).toEqual([4, 6]);
    tf.tidy(() => {
      const world = tfjsWorld(scenario, inputs, trial);
      expect(world.next('W1').shape).toEqual([6, 5]);
    });
    trial.dispose();
    disposeTrialTensors(inputs);
    expect(tf.memory().numTensors).toBe(before);
  });
});
