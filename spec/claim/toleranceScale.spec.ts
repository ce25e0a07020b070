import { runScenario } from '../../src/claim/runScenario';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// The absolute tolerance is scaled by the lhs (and the network's gradients), not by the rhs:
// one huge rhs element must not loosen every other element's allowance.

const network: ScenarioInput = {
  title: 'tanh 3-4-2, softmax, batch 2',
  seed: 5,
  trials: 2,
  model: {
    inputs: 3,
    layers: [{ units: 4, activation: 'tanh', init: { normal: [0, 0.8] } }, { units: 2, init: { normal: [0, 0.8] } }],
    loss: { type: 'softmax-cross-entropy' },
  },
  data: { batch: 2, x: { normal: [0, 1] }, labels: [0, 1] },
};

function verdictOf(claim: { lhs: string; rel?: '<=' | '=='; rhs: string; quantifier?: 'all' | 'any' }): string {
  const scenario = Scenario.parse({ ...network, claims: [{ id: 'c', says: '', expect: 'refuted', ...claim }] });
  return runScenario(scenario)[0].verdict;
}

useSpecBackend();

describe('the tolerance scale', () => {
  it.each([
    ['a false <= with one huge rhs element', { lhs: 'o[n,k]', rel: '<=' as const, rhs: '0.01 + 1e9 * delta(n,k)' }, 'refuted'],
    ['a false == under any, with one huge rhs element', { lhs: 'o[n,k]', rhs: '0.123 + 1e9 * delta(n,k)', quantifier: 'any' as const }, 'refuted'],
    ['the true <= beside it', { lhs: 'o[n,k]', rel: '<=' as const, rhs: '1 + 1e9 * delta(n,k)' }, 'holds'],
  ])('%s', (_name, claim, expected) => {
    expect({ claim, verdict: verdictOf(claim) }).toEqual({ claim, verdict: expected });
  });

  it('grad of step(…) is zero in both worlds (tfjs has a gradient for it)', () => {
    expect(verdictOf({ lhs: 'grad(step(net1[0,j]), W1)[i,j]', rhs: '0' })).toBe('holds');
  });
});
