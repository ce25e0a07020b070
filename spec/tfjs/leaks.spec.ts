import * as tf from '@tensorflow/tfjs';
import { join, relative } from 'node:path';
import { checkGradientAgreement } from '../../src/claim/gradientAgreement';
import { computationOf } from '../../src/scenario/computationOf';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../../src/tfjs/trialTensors';
import { forwardNetworkTf } from '../../src/tfjs/networkTf';
import { tfjsTrial } from '../../src/tfjs/worldTf';
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

    it('forwardNetworkTf inside tf.tidy, then disposeTrialTensors', () => {
      const before = tf.memory().numTensors;
      const inputs = trialTensors(values);
      tf.tidy(() => {
        forwardNetworkTf(scenario.model!, inputs);
      });
      const withInputs = tf.memory().numTensors;
      disposeTrialTensors(inputs);
      expect({ afterTidy: withInputs - before, afterDispose: tf.memory().numTensors }).toEqual({
        afterTidy: 2 + 2 * scenario.model!.layers.length, // only the inputs: x, y, and W and b per layer
        afterDispose: before,
      });
    });

    // the gradient check's trial: the parameters', the input's and each intermediate's ∂E/∂S come
    // with the trial (one tf.grads), o's when asked for, one kept tensor (even inside a tidy); the
    // same one when asked again; dispose frees them all
    it.each(['x', 'W1', 'b2', 'net1', 'a2', 'o'])('tfjsTrial lossGradient(%s) with alsoDifferentiate: kept, freed by dispose', (symbol) => {
      const before = tf.memory().numTensors;
      const inputs = trialTensors(values);
      const trial = tfjsTrial(scenario, values, inputs, { withGradients: true, alsoDifferentiate: computationOf(scenario).compared });
      const held = tf.memory().numTensors;
      const gradient = tf.tidy(() => trial.lossGradient(symbol)!);
      const again = trial.lossGradient(symbol);
      const withGradient = tf.memory().numTensors;
      const usable = !gradient.isDisposed && gradient.shape.join() === trial.env.get(symbol)!.shape.join();
      trial.dispose();
      disposeTrialTensors(inputs);
      expect({ usable, same: again === gradient, newTensors: withGradient - held, afterDispose: tf.memory().numTensors }).toEqual({
        usable: true,
        same: true,
        newTensors: symbol === 'o' ? 1 : 0,
        afterDispose: before,
      });
    });

    it('tfjsTrial without alsoDifferentiate (the claims\' trials): no ∂E/∂ of the input or an intermediate, nothing made for it', () => {
      const before = tf.memory().numTensors;
      const inputs = trialTensors(values);
      const trial = tfjsTrial(scenario, values, inputs, { withGradients: true });
      const held = tf.memory().numTensors;
      const got = ['x', 'net1', 'a2', 'o'].map((s) => trial.lossGradient(s));
      const after = tf.memory().numTensors;
      trial.dispose();
      disposeTrialTensors(inputs);
      expect({ got, newTensors: after - held, afterDispose: tf.memory().numTensors }).toEqual({ got: [null, null, null, null], newTensors: 0, afterDispose: before });
    });
  });
});
