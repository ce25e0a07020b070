// When a large parameter's ∂E/∂P is taken in full (src/reference/world64.ts,
// FULL_GRADIENT_RUNS): by the chain rule within the budget of runs, not where the chain meets a
// kink or needs more runs (then the claims on it are sampled). In full, its elements agree with
// the element-by-element derivatives it replaces, and its arrays are the world's, never the
// trial pool's.

import { ESTIMATE_SHARE, DEFAULT_TOLERANCE } from '../../src/claim/tolerances';
import { ArrayPool, withArrayPool } from '../../src/foundation/arrayPool';
import { maxAbs } from '../../src/foundation/tensor';
import * as kinks from '../../src/reference/kinks';
import { FULL_GRADIENT_RUNS, LARGE_TENSOR, referenceWorld } from '../../src/reference/world64';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';

type Act = 'linear' | 'tanh' | 'sigmoid' | 'relu';
const inputs = 80;
const hidden = 64;
const batch = 8;

function network(activation: Act, classes = 10, x?: number[][]): Scenario {
  return Scenario.parse({
    title: `${inputs}-${hidden}-${classes} ${activation}`,
    seed: 4,
    model: {
      inputs,
      layers: [
        { units: hidden, activation, bias: false, init: x ? { constant: 0.01 } : { normal: [0, 0.1] } },
        { units: classes, activation: 'linear', bias: false, init: { normal: [0, 0.1] } },
      ],
      loss: { type: 'softmax-cross-entropy' },
    },
    data: { batch, labels: { random: true }, ...(x ? { x: { values: x } } : {}) },
  });
}

describe('∂E/∂W1 of a large first layer', () => {
  it('is large here', () => expect(inputs * hidden).toBeGreaterThan(LARGE_TENSOR));

  it.each<Act>(['linear', 'tanh', 'sigmoid', 'relu'])('is taken in full by the chain rule (%s), and agrees with element-by-element derivatives', (activation) => {
    const s = network(activation);
    const world = referenceWorld(s, drawTrial(s, 0));
    expect(world.lossGradientInFull('W1')).toBe(true);
    expect(world.scaleSource()).toBe('every element');
    const full = world.lossGradient!('W1')!;
    const scale = maxAbs(full.data);
    const { rtol, atol } = DEFAULT_TOLERANCE.reference;
    let share = 0;
    for (let element = 0; element < full.data.length; element++) share = Math.max(share, full.error![element] / (atol * scale + rtol * Math.abs(full.data[element])));
    // its estimate far below the reference's tolerance: it decides no element
    expect(share).toBeLessThan(ESTIMATE_SHARE / 10);
    for (const element of [0, 17, 2500, inputs * hidden - 1]) {
      const own = world.elementDerivative('W1', 'loss', element);
      const allowed = own.error + full.error![element] + 1e-12 * Math.abs(own.value);
      expect(Math.abs(full.data[element] - own.value)).toBeLessThanOrEqual(allowed);
    }
    // the gradient scale is the largest of every element
    world.gradientScale();
    expect(world.scaleSource()).toBe('every element');
  });

  it(`is sampled with more classes than FULL_GRADIENT_RUNS (${FULL_GRADIENT_RUNS}) columns`, () => {
    const s = network('tanh', FULL_GRADIENT_RUNS + 8);
    const world = referenceWorld(s, drawTrial(s, 0));
    expect(world.lossGradientInFull('W1')).toBe(false);
    world.gradientScale();
    expect(world.scaleSource()).toBe('sampled');
  });

  it('is sampled where the chain meets a kink (a relu unit at 0), and it is decided without going element by element', () => {
    // x row 0 = e0 − e1 and constant weights: net1[0, j] = 0 for every j
    const x = Array.from({ length: batch }, (_, n) => Array.from({ length: inputs }, (_, i) => (n === 0 ? (i === 0 ? 1 : i === 1 ? -1 : 0) : Math.fround(((i * 7919 + n * 104729) % 1000) / 1000 - 0.5))));
    const s = network('relu', 10, x);
    const runs = jest.spyOn(kinks, 'derivative64');
    const world = referenceWorld(s, drawTrial(s, 0));
    expect(world.lossGradientInFull('W1')).toBe(false);
    const deciding = runs.mock.calls.length;
    // ∂E/∂W1 in full anyway (as next(W1) would need it): net1's kinked columns element by element
    const other = referenceWorld(s, drawTrial(s, 0));
    runs.mockClear();
    other.lossGradient!('W1');
    const inFull = runs.mock.calls.length;
    runs.mockRestore();
    // deciding takes the chain's few runs (net2's 10 columns, a slope run), never one per element
    expect(deciding).toBeLessThan(FULL_GRADIENT_RUNS);
    expect(inFull).toBeGreaterThan(10 * deciding);
  });

  it('is made with a pool of its own: the trial pool never owns it', () => {
    const s = network('tanh');
    const pool = new ArrayPool();
    withArrayPool(pool, () => {
      const world = referenceWorld(s, drawTrial(s, 0));
      expect(world.lossGradientInFull('W1')).toBe(true);
      const g = world.lossGradient!('W1')!;
      expect(pool.owns(g.data)).toBe(false);
      expect(pool.owns(g.error!)).toBe(false);
    });
  });
});
