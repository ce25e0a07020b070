import { checkFormulas } from '../../src/scenario/computationOf';
import { runScenario, type ClaimResult } from '../../src/claim/runScenario';
import { referenceWorld } from '../../src/reference/world64';
import { describeClaim } from '../../src/report/describeClaim';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { useSpecBackend } from '../support/backend';

// A gradient printed by another framework, pasted as a constant: PyTorch's nn.Linear.weight is
// [out, in], the transpose of W here ([in, out]), so fc2.weight.grad is G[k,j] = ∂E/∂W2[j,k].
// G is computed here from the float64 forward pass (∂E/∂W2 = a1ᵀ·(o − y)/N for softmax
// cross-entropy with mean reduction) and written into the scenario as PyTorch would print it.

function network(hidden: number, outputs: number): ScenarioInput {
  return {
    title: `pasted PyTorch gradient, 3-${hidden}-${outputs}`,
    seed: 11,
    trials: 1,
    model: {
      inputs: 3,
      layers: [
        { units: hidden, activation: 'sigmoid' },
        { units: outputs, activation: 'linear' },
      ],
      loss: { type: 'softmax-cross-entropy', reduction: 'mean' },
    },
    data: { batch: 4, labels: { random: true } },
  };
}

/** fc2.weight.grad of the network: [outputs, hidden], from the reference forward pass. */
function pytorchWeightGrad(input: ScenarioInput): number[][] {
  const scenario = Scenario.parse(input);
  const { env } = referenceWorld(scenario, drawTrial(scenario, 0));
  const [N, H] = env.get('a1')!.shape;
  const K = env.get('o')!.shape[1];
  const a1 = env.get('a1')!.data;
  const o = env.get('o')!.data;
  const y = env.get('y')!.data;
  return Array.from({ length: K }, (_, k) =>
    Array.from({ length: H }, (_, j) => {
      let total = 0;
      for (let n = 0; n < N; n++) total += a1[n * H + j] * (o[n * K + k] - y[n * K + k]);
      return total / N;
    }),
  );
}

function withPastedGradient(hidden: number, outputs: number, claims: ScenarioInput['claims']): Scenario {
  const base = network(hidden, outputs);
  return Scenario.parse({ ...base, constants: { G: pytorchWeightGrad(base) }, claims });
}

useSpecBackend();

describe('a gradient pasted from PyTorch (constants G = fc2.weight.grad)', () => {
  // hidden = outputs = 3, so that W2 and G have the same shape and the wrong layout loads
  const scenario = withPastedGradient(3, 3, [
    { id: 'transposed', says: 'fc2.weight.grad is ∂E/∂W2 transposed', lhs: 'grad(E, W2)[j,k]', rhs: 'G[k,j]', expect: 'holds' },
    { id: 'same-layout', says: 'fc2.weight.grad is ∂E/∂W2', lhs: 'grad(E, W2)[j,k]', rhs: 'G[j,k]', expect: 'refuted' },
  ]);
  let results: Map<string, ClaimResult>;
  beforeAll(() => {
    results = new Map(runScenario(scenario).map((r) => [r.id, r]));
  });

  it('the constant is laid out [out, in] and is not symmetric', () => {
    const G = scenario.constants.G as number[][];
    expect([G.length, G[0].length]).toEqual([3, 3]);
    expect(G[0][1]).not.toBeCloseTo(G[1][0], 3);
  });

  it.each([
    ['transposed', 'holds'],
    ['same-layout', 'refuted'],
  ])('%s: %s', (id, verdict) => {
    const result = results.get(id)!;
    expect({ verdict: result.verdict, detail: result.verdict === verdict ? '' : describeClaim(result) }).toEqual({ verdict, detail: '' });
  });

  it('the transposed claim is not vacuous: moving G flips it in both worlds', () => {
    expect(results.get('transposed')!.vacuity).toEqual({ flipped: true, reference: 'refuted', tfjs: 'refuted' });
  });

  it('when the shapes differ, the wrong layout does not even load: the sizes disagree', () => {
    const rectangular = withPastedGradient(4, 2, [
      { id: 'transposed', says: 'transposed', lhs: 'grad(E, W2)[j,k]', rhs: 'G[k,j]', expect: 'holds' },
      { id: 'same-layout', says: 'same layout', lhs: 'grad(E, W2)[j,k]', rhs: 'G[j,k]', expect: 'refuted' },
    ]);
    expect(checkFormulas(rectangular)).toEqual([
      {
        path: ['claims', 1, 'rhs'],
        message: "index 'j' runs over axis 0 of grad(E, W2) (size 4) at its first use (character 12 of lhs), but over axis 0 of G (size 2) here at character 2",
        detail: '  G[j,k]\n    ^',
      },
    ]);
  });
});
