import * as tf from '@tensorflow/tfjs';
import { join, relative } from 'node:path';
import { checkGradientAgreement } from '../../src/model/gradientAgreement';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, forwardTf, trialTensors } from '../../src/tfjs/networkTf';
import { lossGradientTf } from '../../src/tfjs/tfjsWorld';
import { useSpecBackend } from '../support/backend';
import { loadValid, root, shippedScenarioFiles } from '../support/shippedScenarios';

// Every tensor the tfjs world makes is disposed again: a long run over many scenarios and
// trials must not grow tfjs's memory.

const files = shippedScenarioFiles();
const load = loadValid;

useSpecBackend();

describe('tfjs tensors are disposed', () => {
  it('finds the shipped scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(files.map((f) => [relative(root, f), f]))('checkGradientAgreement on %s', (name, file) => {
    const scenario = load(file);
    const before = tf.memory().numTensors;
    // two trials: the first and the loop back to the next
    checkGradientAgreement(scenario, { trials: 2 });
    expect({ name, numTensors: tf.memory().numTensors }).toEqual({ name, numTensors: before });
  });

  describe('on one scenario', () => {
    const scenario = load(join(root, 'scenarios', 'variants', 'tanh-hidden-sum.json'));
    const values = drawTrial(scenario, 0);

    it('forwardTf inside tf.tidy, then disposeTrialTensors', () => {
      const before = tf.memory().numTensors;
      const inputs = trialTensors(values);
      tf.tidy(() => {
        forwardTf(scenario.model, inputs);
      });
      const withInputs = tf.memory().numTensors;
      disposeTrialTensors(inputs);
      expect({ afterTidy: withInputs - before, afterDispose: tf.memory().numTensors }).toEqual({
        afterTidy: 2 + 2 * scenario.model.layers.length, // only the inputs: x, y, and W and b per layer
        afterDispose: before,
      });
    });

    it.each(['x', 'W1', 'b2', 'net1', 'a2', 'o'])('lossGradientTf(%s) leaves only its result', (symbol) => {
      const before = tf.memory().numTensors;
      const inputs = trialTensors(values);
      const held = tf.memory().numTensors;
      const gradient = lossGradientTf(scenario.model, inputs, symbol);
      const withGradient = tf.memory().numTensors;
      gradient.dispose();
      disposeTrialTensors(inputs);
      expect({ newTensors: withGradient - held, afterDispose: tf.memory().numTensors }).toEqual({ newTensors: 1, afterDispose: before });
    });
  });
});
