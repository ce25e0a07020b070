import * as tf from '@tensorflow/tfjs';
import { optimizeTf } from '../../src/tfjs/optimizersTf';
import { useSpecBackend } from '../support/backend';
import { CURVATURE, OPTIMIZER_CASES, START, optimizerOf } from '../support/optimizerCases';

// The tfjs world's optimizers (src/tfjs/optimizersTf.ts) on the small numbers of
// spec/support/optimizerCases.ts: tf.train.* in float32 must land on the float64 positions
// computed apart from derivcheck, and leave no tensor behind.

useSpecBackend();

/** P after the case's steps on E = ½ Σ c·P², in tfjs; every tensor it made is disposed. */
function steppedTf(optimizer: ReturnType<typeof optimizerOf>): number[] {
  const start = tf.tensor1d(START);
  const p = tf.variable(start, true);
  const c = tf.tensor1d(CURVATURE);
  try {
    const moved = optimizeTf(new Map([['P', p]]), () => tf.mul(0.5, tf.sum(tf.mul(c, tf.square(p)))) as tf.Scalar, optimizer);
    const values = Array.from(moved.get('P')!.dataSync());
    tf.dispose([...moved.values()]);
    return values;
  } finally {
    tf.dispose([start, p, c]);
  }
}

describe('optimizeTf against numbers computed by hand', () => {
  const cases = OPTIMIZER_CASES.flatMap((c) => [1, 2, 3].map((steps) => ({ ...c, steps, label: `${c.name}, steps ${steps}` })));

  it.each(cases)('$label (step 1: $firstStep)', (c) => {
    const got = steppedTf(optimizerOf(c, c.steps));
    const expected = c.after[c.steps - 1];
    // float32 arithmetic, far below the steps (0.03 to 0.2): a few units of its roundoff
    // (1.2e-7 at |P| ≈ 2), and for Adam the bias correction 1 − β2^t, which tfjs takes in float32
    // from β2 = 0.999 rounded to float32: 1 − β2 is off by 1.3e-5 of itself, Adam's first step by
    // half of that (6.9e-7 of 0.1 here)
    const digits = c.optimizer.type === 'adam' ? 5 : 6;
    expect({ case: c.label, got }).toEqual({ case: c.label, got: expected.map((v) => expect.closeTo(v, digits)) });
  });

  it.each(OPTIMIZER_CASES)('$name over 3 steps: tf.memory().numTensors back to where it was', (c) => {
    const before = tf.memory().numTensors;
    steppedTf(optimizerOf(c, 3));
    expect({ case: c.name, numTensors: tf.memory().numTensors }).toEqual({ case: c.name, numTensors: before });
  });
});
