import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { referenceWorld } from '../../src/reference/world64';
import { movedPass } from '../../src/reference/movedPass64';
import { KinkWatch } from '../../src/reference/definitions64';
import { computationOf } from '../../src/scenario/computationOf';

// A network expanded into definitions (src/scenario/network.ts), as the reference world runs it:
// the loss against values worked out by hand for every loss and reduction, and a moved symbol
// changing what is downstream of it and nothing else.

// A 2-2 network with exact binary numbers, batch 2:
//   x = [[1, 2], [0.5, −1]], W1 = [[0.5, −0.25], [0.25, 0.5]], b1 = [0.5, −0.5]
//   net1 = x·W1 + b1 = [[1.5, 0.25], [0.5, −1.125]]; labels [0, 1], so y = [[1, 0], [0, 1]].
const tiny: ScenarioInput = {
  title: 'tiny network with exact values',
  model: {
    inputs: 2,
    layers: [{ units: 2, init: { values: [[0.5, -0.25], [0.25, 0.5]] }, biasInit: { values: [0.5, -0.5] } }],
    loss: { type: 'softmax-cross-entropy' },
  },
  data: { batch: 2, x: { values: [[1, 2], [0.5, -1]] }, labels: [0, 1] },
};
const NET1 = [[1.5, 0.25], [0.5, -1.125]];
const Y = [[1, 0], [0, 1]];

type LossInput = NonNullable<ScenarioInput['model']>['loss'];

function tinyWith(loss: LossInput, data: Partial<NonNullable<ScenarioInput['data']>> = {}): Scenario {
  return Scenario.parse({ ...tiny, model: { ...tiny.model!, loss }, data: { ...tiny.data!, ...data } });
}

/** Σ over the batch of −log softmax(net)[label], written out for two classes. */
const softmaxCrossEntropySum = -Math.log(Math.exp(1.5) / (Math.exp(1.5) + Math.exp(0.25))) - Math.log(Math.exp(-1.125) / (Math.exp(0.5) + Math.exp(-1.125)));
/** Σ over every element of −[y log σ(net) + (1 − y) log(1 − σ(net))]. */
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const sigmoidCrossEntropySum = NET1.flat().reduce((s, z, i) => {
  const y = Y.flat()[i];
  return s - (y * Math.log(sigmoid(z)) + (1 - y) * Math.log(1 - sigmoid(z)));
}, 0);
// targets [[1, 0], [0, 1]]: (0.5² + 0.25²) + (0.5² + 2.125²) = 0.3125 + 4.765625
const squaredErrorSum = 5.078125;

describe('the float64 loss E equals a value computed by hand (tiny network)', () => {
  it.each<[string, LossInput, Partial<NonNullable<ScenarioInput['data']>>, number]>([
    ['softmax-cross-entropy, mean', { type: 'softmax-cross-entropy', reduction: 'mean' }, {}, softmaxCrossEntropySum / 2],
    ['softmax-cross-entropy, sum', { type: 'softmax-cross-entropy', reduction: 'sum' }, {}, softmaxCrossEntropySum],
    ['sigmoid-cross-entropy, mean', { type: 'sigmoid-cross-entropy', reduction: 'mean' }, {}, sigmoidCrossEntropySum / 2],
    ['sigmoid-cross-entropy, sum', { type: 'sigmoid-cross-entropy', reduction: 'sum' }, {}, sigmoidCrossEntropySum],
    ['mse, mean', { type: 'mse', reduction: 'mean' }, { labels: undefined, targets: { values: Y } }, squaredErrorSum / 2],
    ['mse, sum', { type: 'mse', reduction: 'sum' }, { labels: undefined, targets: { values: Y } }, squaredErrorSum],
    ['mse, mean, half', { type: 'mse', reduction: 'mean', half: true }, { labels: undefined, targets: { values: Y } }, squaredErrorSum / 4],
    ['mse, sum, half', { type: 'mse', reduction: 'sum', half: true }, { labels: undefined, targets: { values: Y } }, squaredErrorSum / 2],
  ])('%s', (_name, loss, data, expected) => {
    const scenario = tinyWith(loss, data);
    const { env } = referenceWorld(scenario, drawTrial(scenario, 0));
    const net1 = env.get('net1')!.data;
    expect({ net1: [Array.from(net1.slice(0, 2)), Array.from(net1.slice(2))], E: env.get('E')!.data[0] }).toEqual({
      net1: NET1,
      E: expect.closeTo(expected, 14),
    });
  });
});

describe('a moved pass (net1 moved to zeros)', () => {
  const scenario = tinyWith({ type: 'softmax-cross-entropy', reduction: 'mean' });
  const values = drawTrial(scenario, 0);
  const { env: plain } = referenceWorld(scenario, values);
  // net1 moved by t = 1 along −net1: equal (zero) logits in both rows, o = (½, ½) and E = ln 2
  const minus = Float64Array.from(plain.get('net1')!.data, (v) => -v);
  const held = movedPass(computationOf(scenario), plain, new KinkWatch(), 'net1', { kind: 'dense', data: minus })(1);
  const arrays = (env: typeof plain, names: string[]): Record<string, number[]> =>
    Object.fromEntries(names.map((n) => [n, Array.from(env.get(n)!.data)]));

  it('changes net1 and everything after it', () => {
    expect(arrays(held, ['net1', 'a1', 'o', 'E'])).toEqual({ net1: [0, 0, 0, 0], a1: [0, 0, 0, 0], o: [0.5, 0.5, 0.5, 0.5], E: [Math.LN2] });
    expect(held.get('E')!.data[0]).not.toBe(plain.get('E')!.data[0]);
  });

  it('leaves x and W1 (before net1) as they were', () => {
    expect(arrays(held, ['x', 'a0', 'W1', 'b1', 'y'])).toEqual(arrays(plain, ['x', 'a0', 'W1', 'b1', 'y']));
  });

  it('changes E through o when o is the symbol moved (E is written on the logits otherwise)', () => {
    // o moved to (1, 0) in both rows: E = −½(log 1 + log 0) = ∞ through o, whatever the logits say
    const o = plain.get('o')!.data;
    const toward = Float64Array.from([1, 0, 1, 0], (v, i) => v - o[i]);
    const moved = movedPass(computationOf(scenario), plain, new KinkWatch(), 'o', { kind: 'dense', data: toward })(1);
    expect({ o: Array.from(moved.get('o')!.data), E: moved.get('E')!.data[0], net1: Array.from(moved.get('net1')!.data) }).toEqual({
      o: [1, 0, 1, 0],
      E: Infinity,
      net1: Array.from(plain.get('net1')!.data),
    });
  });
});
