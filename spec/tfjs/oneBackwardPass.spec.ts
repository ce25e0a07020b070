import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { computationOf } from '../../src/scenario/computationOf';
import { drawTrial } from '../../src/scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../../src/tfjs/trialTensors';
import { tfjsTrial, tfjsWorld } from '../../src/tfjs/worldTf';
import { useSpecBackend } from '../support/backend';
import { loadValid, root } from '../support/shippedScenarios';

// The gradient agreement check's tfjs side: ∂E/∂ of every tensor and intermediate from the one
// backward pass of the parameters (a zero added after each intermediate; a network's o by the loss
// written on o) is tfjs's own ∂E/∂S, the one tf.grad gives with S held at its forward value; and
// the zeros change nothing of the forward pass.

useSpecBackend();

/** How far apart two float32 computations of one gradient may be: rounding, next to its largest element. */
const RTOL = 1e-6;

describe.each(['variants/tanh-hidden-sum.json', 'textbook/mse-sigmoid-output.json', 'layers/batch-norm.json', 'article/demo-label0.json'])('%s', (file) => {
  const scenario = loadValid(join(root, 'scenarios', file));
  const symbols = computationOf(scenario).compared;

  it.each(symbols)('∂E/∂%s from the one backward pass is tf.grad of E with it held', (symbol) => {
    const values = drawTrial(scenario, 0);
    const inputs = trialTensors(values);
    const trial = tfjsTrial(scenario, values, inputs, { withGradients: true, alsoDifferentiate: symbols });
    const plain = tfjsTrial(scenario, values, inputs);
    try {
      const got = trial.lossGradient(symbol)!.dataSync();
      const held = tf.tidy(() => tfjsWorld(plain).gradient(symbol, 1, (env) => tf.reshape(env.get('E')!, [1])).dataSync());
      const forward = Array.from(trial.env.get(symbol)!.dataSync());
      const scale = Math.max(1e-30, ...Array.from(held, Math.abs));
      const worst = Math.max(0, ...Array.from(got, (g, i) => Math.abs(g - held[i]))) / scale;
      expect({ symbol, length: got.length, close: worst <= RTOL, worst, forward: forward.length }).toEqual({ symbol, length: held.length, close: true, worst, forward: plain.env.get(symbol)!.size });
      expect(forward).toEqual(Array.from(plain.env.get(symbol)!.dataSync()));
    } finally {
      trial.dispose();
      plain.dispose();
      disposeTrialTensors(inputs);
    }
  });
});
