import { runScenario } from '../../src/claim/runScenario';
import { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// ∂E/∂o takes the loss written on o itself. An output that underflows to 0 in float32 where its
// target is 0 contributes 0·log 0 = 0 in both worlds: never NaN, never a NaN gradient.

const scenario = Scenario.parse({
  title: 'softmax output underflowing in float32 (logits 0 and 120)',
  model: { inputs: 1, layers: [{ units: 2, bias: false, init: { values: [[0, 120]] } }], loss: { type: 'softmax-cross-entropy' } },
  data: { batch: 1, x: { values: [[1]] }, labels: [1] },
  claims: [
    { id: 'unlabelled', says: '∂E/∂o_0 = 0 (its target is 0)', lhs: 'grad(E, o)[0,0]', rhs: '0', expect: 'holds' },
    { id: 'labelled', says: '∂E/∂o_1 = −1/o_1', lhs: 'grad(E, o)[0,1]', rhs: '-1 / o[0,1]', expect: 'holds' },
  ],
});

useSpecBackend();

it('∂E/∂o is finite and right where o underflows', () => {
  const results = runScenario(scenario).map((r) => ({ id: r.id, verdict: r.verdict, message: r.message }));
  expect(results).toEqual([
    { id: 'unlabelled', verdict: 'holds', message: undefined },
    { id: 'labelled', verdict: 'holds', message: undefined },
  ]);
});
