import { Scenario, type ScenarioInput } from '../../src/scenario/schema';

/**
 * A 1-2-2 network whose first relu unit sits exactly at its kink for x = 1 (w = 1, b = −1, so
 * net1[·,0] = 0) and whose second unit is away from it (w = 0.5, b = 0.25); softmax
 * cross-entropy with mean reduction. `x` and `labels` give the batch (one row by default).
 */
export function reluAtKink({ x = [[1]], labels = [0], claims, trials }: { x?: number[][]; labels?: number[]; claims?: ScenarioInput['claims']; trials?: number } = {}): Scenario {
  return Scenario.parse({
    title: 'relu at its kink, and a unit away from it',
    seed: 1,
    ...(trials !== undefined ? { trials } : {}),
    model: {
      inputs: 1,
      layers: [
        { units: 2, activation: 'relu', init: { values: [[1, 0.5]] }, biasInit: { values: [-1, 0.25] } },
        { units: 2, activation: 'linear', bias: false, init: { values: [[1, -1], [0.5, 2]] } },
      ],
      loss: { type: 'softmax-cross-entropy', reduction: 'mean' },
    },
    data: { batch: x.length, x: { values: x }, labels },
    ...(claims ? { claims } : {}),
  });
}
