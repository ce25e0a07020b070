import { checkGradientAgreement } from '../../src/claim/gradientAgreement';
import { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// The tfjs lowerings of the two-argument functions, differentiated in both arguments at once
// and with the arguments broadcast against each other (a[i] against b[j]), agree with the float64
// reference. tf.maximum and tf.minimum do not sum their gradients over broadcast axes, and
// tf.equal, which xlogy's lowering reads a through, has no gradient at all.

useSpecBackend();

describe.each(['max(a[i], b[j])', 'min(a[i], b[j])', 'xlogy(a[i], b[j])', 'xlogy(a[i], a[i] * b[j])', 'a[i] ^ b[j]', 'a[i] / b[j]'])('∂/∂a and ∂/∂b of Σ %s', (term) => {
  it('agree with the reference', () => {
    const scenario = Scenario.parse({
      title: `Σ ${term}`,
      seed: 6,
      trials: 3,
      computation: {
        sizes: { N: 3, M: 4 },
        tensors: { a: { shape: ['N'], init: { uniform: [0.5, 2] } }, b: { shape: ['M'], init: { uniform: [0.5, 2] } } },
        define: [`f[i,j] = ${term}`],
        loss: 'sum(i, sum(j, f[i,j] * (1 + ind(j > i))))',
      },
    });
    const result = checkGradientAgreement(scenario);
    expect({ verdict: result.verdict, message: result.message, first: result.first, departing: result.departing }).toEqual({ verdict: 'agrees', message: undefined, first: null, departing: [] });
    expect(result.compared).toBeGreaterThan(0);
  });
});
