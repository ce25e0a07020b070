import * as tf from '@tensorflow/tfjs';
import { checkGradientAgreement } from '../../src/claim/gradientAgreement';
import { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// Reads through index expressions (a gather by an integer tensor, a shifted window, a padded
// window) differentiated by tfjs: the backward pass runs after the tf.tidy of the node that read
// them has ended, and must still find the read's positions. The gradients agree with the float64
// reference and no tensor is left behind.

useSpecBackend();

const scenario = (define: string[], loss: string) =>
  Scenario.parse({
    title: 'reads through index expressions',
    seed: 3,
    trials: 2,
    computation: {
      sizes: { N: 3, C: 4, K: 2 },
      tensors: { s: { shape: ['N', 'C'] }, x: { shape: ['C'] }, w: { shape: ['K'] }, t: { shape: ['N'], classes: 4 } },
      define,
      loss,
    },
  });

describe('tfjs gradients through reads by index expressions', () => {
  it.each([
    ['a gather s[n, t[n]]', [], 'sum(n, s[n, t[n]] ^ 2) + sum(c, x[c]) * sum(k, w[k])'],
    ['a window x[i + p]', ['o[i] = sum(p, x[i + p] * w[p])'], 'sum(i, o[i] ^ 2) + sum(n, sum(c, s[n,c]))'],
    ['a padded window pad(x, 1)[i + p]', ['o[i] = sum(p, pad(x, 1)[i + p] * w[p])'], 'sum(i, o[i] ^ 2) + sum(n, sum(c, s[n,c]))'],
  ])('%s', (_name, define, loss) => {
    const before = tf.memory().numTensors;
    const result = checkGradientAgreement(scenario(define as string[], loss as string));
    expect({ verdict: result.verdict, message: result.message, first: result.first, departing: result.departing }).toEqual({ verdict: 'agrees', message: undefined, first: null, departing: [] });
    expect(result.compared).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
