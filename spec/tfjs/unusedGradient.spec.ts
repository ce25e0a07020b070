import * as tf from '@tensorflow/tfjs';
import { checkGradientAgreement } from '../../src/claim/gradientAgreement';
import { runScenario } from '../../src/claim/runScenario';
import { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// A loss need not read every tensor or definition (a tensor or a softmax kept for the claims),
// and a claim's F need not depend on Q: the gradient there is zero, in tfjs as in the reference
// (tf.grad and tf.grads throw where an input does not reach the output).

useSpecBackend();

const scenario = Scenario.parse({
  title: 'a tensor and a definition the loss does not read',
  seed: 4,
  trials: 2,
  computation: {
    sizes: { N: 3 },
    tensors: { a: { shape: ['N'] }, c: { shape: ['N'] } },
    define: ['m = maxover(n, a[n])', 'lse = m + log(sum(n, exp(a[n] - m)))', 'p[n] = exp(a[n] - lse)', 'cc[n] = c[n] * 2'],
    loss: 'lse',
  },
  claims: [
    { id: 'softmax', says: '∂lse/∂a = p', lhs: 'grad(E, a)[n]', rhs: 'p[n]', expect: 'holds' },
    { id: 'c-unread', says: 'E does not read c', lhs: 'grad(E, c)[n]', rhs: '0', expect: 'holds' },
    { id: 'p-unread', says: 'E does not read p', lhs: 'grad(E, p)[n]', rhs: '0', expect: 'holds' },
    { id: 'F-without-c', says: 'F does not depend on c', lhs: 'grad(sum(k, a[k]^2), c)[n]', rhs: '0', expect: 'holds' },
    { id: 'F-with-c', says: 'F depends on c', lhs: 'grad(sum(k, a[k] * cc[k]), c)[n]', rhs: '2 * a[n]', expect: 'holds' },
  ],
});

describe('gradients with respect to what the function does not read', () => {
  it('the built-in check compares them as zeros, and leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    const result = checkGradientAgreement(scenario);
    expect({ verdict: result.verdict, message: result.message, first: result.first, departing: result.departing }).toEqual({ verdict: 'agrees', message: undefined, first: null, departing: [] });
    expect(result.compared).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('claims about them get their verdicts in both worlds', () => {
    const results = runScenario(scenario).map((r) => ({ id: r.id, verdict: r.verdict, reference: r.worlds.reference.outcome, tfjs: r.worlds.tfjs.outcome }));
    expect(results).toEqual(scenario.claims.map((c) => ({ id: c.id, verdict: 'holds', reference: 'holds', tfjs: 'holds' })));
  });
});
