import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { KinkWatch } from '../../src/reference/definitions64';
import { movedPass } from '../../src/reference/movedPass64';
import { referenceWorld } from '../../src/reference/world64';
import { computationOf } from '../../src/scenario/computationOf';

// A trial's drawn tensors are kept in Float32Array storage (they are float32 numbers). Whatever the
// reference computes from them must stay float64: a moved or updated weight written back into
// float32 storage would be rounded (a step of 1e-9 on 0.1 would vanish).

const scenario = Scenario.parse({
  title: 'float32 weights',
  seed: 3,
  model: { inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 2 }], loss: { type: 'softmax-cross-entropy' } },
  data: { batch: 2, x: { uniform: [-1, 1] }, labels: { random: true } },
  optimizer: { type: 'sgd', learningRate: 1e-9 },
});
const values = drawTrial(scenario, 0);
const W1 = values.tensors.get('W1')!;

describe('float32 storage of the weights', () => {
  it('next(W1) is float64 and not rounded to float32', () => {
    const world = referenceWorld(scenario, values);
    const next = world.next('W1');
    const g = world.lossGradient!('W1')!;
    expect(next.data).toBeInstanceOf(Float64Array);
    for (let i = 0; i < next.data.length; i++) expect(next.data[i]).toBe(W1.data[i] - 1e-9 * g.data[i]);
    // the step is far below float32's resolution: rounding would have undone it
    expect(Array.from(next.data).some((v, i) => Math.fround(v) !== v && v !== W1.data[i])).toBe(true);
  });

  it('a moved pass along W1 moves it by less than float32 resolves', () => {
    const { env: base } = referenceWorld(scenario, values);
    const pass = movedPass(computationOf(scenario), base, new KinkWatch(), 'W1', { kind: 'element', index: 0 });
    const E = (t: number) => pass(t).get('E')!.data[0];
    expect(E(1e-9)).not.toBe(E(0));
    expect(E(0)).toBe(base.get('E')!.data[0]);
  });
});
