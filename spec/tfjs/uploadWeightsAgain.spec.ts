import * as tf from '@tensorflow/tfjs';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../../src/tfjs/trialTensors';
import { tfjsTrial, tfjsWorld, type TfTrial } from '../../src/tfjs/worldTf';
import { useSpecBackend } from '../support/backend';

// uploadAgain swaps a trial's large parameter tensors for fresh uploads of the same values
// (on wasm, so that XNNPACK's packed copies of the old ones go): nothing a claim reads may change,
// what is computed afterwards must use the fresh tensors, and nothing may leak.

const scenario = Scenario.parse({
  title: 'upload again',
  seed: 2,
  model: { inputs: 6, layers: [{ units: 5, activation: 'tanh' }, { units: 3 }], loss: { type: 'softmax-cross-entropy' } },
  data: { batch: 4, labels: { random: true } },
  optimizer: { type: 'sgd', learningRate: 0.1 },
});
const values = drawTrial(scenario, 0);
const symbols = ['W1', 'b1', 'W2', 'b2', 'x'];

/** Everything a claim may read of a trial, as plain numbers. */
function readings(trial: TfTrial): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of symbols) out[`dE/d${s}`] = Array.from(trial.lossGradient(s)!.dataSync());
  out.E = Array.from(trial.env.get('E')!.dataSync());
  tf.tidy(() => {
    const world = tfjsWorld(trial);
    out['next(W1)'] = Array.from(world.next('W1').dataSync());
    out['d o[0,0] / dW1'] = Array.from(world.gradient('W1', 1, (env) => tf.reshape(tf.slice(env.get('o')!, [0, 0], [1, 1]), [1])).dataSync());
  });
  return out;
}

useSpecBackend();

describe('TfTrial.uploadAgain', () => {
  it('swaps the parameters at least minSize large for fresh uploads, disposes the old ones, and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const inputs = trialTensors(values);
    const trial = tfjsTrial(scenario, values, inputs, { withGradients: true });
    const [W1, W2] = [inputs.get('W1')!, inputs.get('W2')!];
    const count = tf.memory().numTensors;
    // W1 has 30 elements, W2 15: only W1 is swapped
    trial.uploadAgain(20);
    const fresh = inputs.get('W1')!;
    expect(W1.isDisposed).toBe(true);
    expect(fresh).not.toBe(W1);
    // its own storage, not a view of the old tensor's (that would keep the packed copy alive)
    expect(fresh.dataId).not.toBe(W1.dataId);
    expect(inputs.get('W2')).toBe(W2);
    expect(trial.env.get('W1')).toBe(fresh);
    expect(Array.from(fresh.dataSync())).toEqual(Array.from(values.tensors.get('W1')!.data));
    expect(tf.memory().numTensors).toBe(count);
    // the trial's inputs are the caller's to dispose: the fresh tensor outlives the trial
    trial.dispose();
    expect(fresh.isDisposed).toBe(false);
    disposeTrialTensors(inputs);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves every number the claims read as it was, also those computed after the swap', () => {
    const plainInputs = trialTensors(values);
    const plain = tfjsTrial(scenario, values, plainInputs, { alsoDifferentiate: ['x'] });
    const want = readings(plain);
    plain.dispose();
    disposeTrialTensors(plainInputs);
    // no gradient computed before the swap: ∂E/∂P, ∂E/∂x, next and grad all run on the fresh W1
    const inputs = trialTensors(values);
    const trial = tfjsTrial(scenario, values, inputs, { alsoDifferentiate: ['x'] });
    trial.uploadAgain(1);
    expect(readings(trial)).toEqual(want);
    trial.dispose();
    disposeTrialTensors(inputs);
  });
});
