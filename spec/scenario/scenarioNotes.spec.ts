import { formatPath } from '../../src/foundation/problem';
import { notesOf } from '../../src/scenario/scenarioNotes';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';

// What a valid scenario is told before its verdicts: numbers float32 cannot hold, and
// softmax-cross-entropy targets that are not rows summing to 1. Each case: the scenario's
// changes to a 2-3 network, and the notes as `path: message` (the message's start).

const base: ScenarioInput = {
  title: 'notes',
  model: { inputs: 2, layers: [{ units: 3, init: { uniform: [-0.5, 0.5] }, biasInit: { constant: 0.25 } }], loss: { type: 'softmax-cross-entropy' } },
  data: { batch: 2, x: { uniform: [0, 1] }, labels: [0, 1] },
};

const soft = "tf.losses.softmaxCrossEntropy differentiates as softmax − targets, the gradient only for rows summing to 1 (in general o·Σy − y)";

const cases: [string, Partial<ScenarioInput> & { layer?: object }, string[]][] = [
  ['float32 numbers everywhere: no note', {}, []],
  ['a constant 0.1', { layer: { init: { constant: 0.1 } } }, ['model.layers[0].init.constant: 0.1 is not a float32 number: both worlds use 0.10000000149011612, the nearest one']],
  [
    'exact values: the first that float32 cannot hold, and how many more',
    { data: { batch: 2, x: { values: [[0.5, 0.1], [0.3, 0.25]] }, labels: [0, 1] } },
    ['data.x.values[0][1]: 0.1 is not a float32 number: both worlds use 0.10000000149011612, the nearest one (and 1 more number here)'],
  ],
  ['a named constant', { constants: { G: [[1, 2], [3, 1e-10]] } }, ['constants.G[1][1]: 1e-10 is not a float32 number: both worlds use 1.000000013351432e-10, the nearest one']],
  ['a number constant', { constants: { lambda: 0.3 } }, ['constants.lambda: 0.3 is not a float32 number: both worlds use 0.30000001192092896, the nearest one']],
  ['softmax targets whose rows sum to 1: no note', { data: { batch: 2, targets: { values: [[0.5, 0.25, 0.25], [0, 1, 0]] } } }, []],
  ['softmax targets whose second row sums to 0.75', { data: { batch: 2, targets: { values: [[0.5, 0.25, 0.25], [0, 0.75, 0]] } } }, [`data.targets.values[1]: row 1 of the targets sums to 0.75, not 1: ${soft}`]],
  ['drawn softmax targets', { data: { batch: 2, targets: { uniform: [0, 1] } } }, [`data.targets.uniform: drawn targets are not rows summing to 1: ${soft}`]],
  ['constant softmax targets of 0.25 over 3 classes', { data: { batch: 2, targets: { constant: 0.25 } } }, [`data.targets.constant: each row of the targets sums to 0.75, not 1: ${soft}`]],
  ['mse targets: any rows', { model: { inputs: 2, layers: [{ units: 3 }], loss: { type: 'mse' } }, data: { batch: 2, targets: { values: [[0.5, 0.25, 2], [0, 0.75, 0]] } } }, []],
  [
    "a computation's tensor",
    { model: undefined, data: undefined, computation: { tensors: { w: { shape: [2], init: { constant: 0.2 } } }, loss: 'sum(i, w[i]^2)' } },
    ['computation.tensors.w.init.constant: 0.2 is not a float32 number: both worlds use 0.20000000298023224, the nearest one'],
  ],
];

describe('notesOf', () => {
  it.each(cases)('%s', (_name, change, expected) => {
    const { layer, ...rest } = change;
    const input = { ...base, ...rest, ...(layer ? { model: { ...base.model!, layers: [{ ...base.model!.layers[0], ...layer }] } } : {}) };
    const notes = notesOf(Scenario.parse(input)).map((n) => `${formatPath(n.path)}: ${n.message}`);
    expect(notes.map((n, k) => (expected[k] && n.startsWith(expected[k]) ? expected[k] : n))).toEqual(expected);
  });
});
