import { Scenario, type ScenarioInput, type TensorSpec } from '../../src/scenario/schema';
import { drawTrial, type TrialValues } from '../../src/scenario/trialValues';

// drawTrial gives both worlds their starting numbers: reproducible from seed + trial, and
// already float32 so that tfjs and the float64 reference start from the very same values.

function scenario(overrides: { x?: TensorSpec; init?: TensorSpec; data?: Partial<ScenarioInput['data']>; constants?: ScenarioInput['constants'] } = {}): Scenario {
  return Scenario.parse({
    title: 'trial values',
    seed: 7,
    model: {
      inputs: 3,
      layers: [
        { units: 4, activation: 'tanh', init: overrides.init ?? { uniform: [-0.5, 0.5] } },
        { units: 3, init: { normal: [0, 1] } },
      ],
      loss: { type: 'softmax-cross-entropy' },
    },
    data: { batch: 5, x: overrides.x ?? { uniform: [0, 1] }, labels: { random: true }, ...overrides.data },
    constants: overrides.constants ?? {},
  });
}

/** Every tensor of a trial by name, as plain arrays (so a failing comparison prints them). */
function tensors(t: TrialValues): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, v] of t.tensors) out[name] = Array.from(v.data);
  for (const [name, c] of t.constants) out[name] = Array.from(c.data);
  return out;
}

const tensor = (t: TrialValues, name: string) => t.tensors.get(name)!;
/** The labels a network's one-hot y holds, row by row. */
const labelsOf = (t: TrialValues, classes: number) => rows(tensor(t, 'y').data, classes).map((row) => row.indexOf(1));

function rows(data: ArrayLike<number>, width: number): number[][] {
  return Array.from({ length: data.length / width }, (_, r) => Array.from(data).slice(r * width, (r + 1) * width));
}

describe('drawTrial', () => {
  it('gives identical numbers for the same seed and trial', () => {
    const s = scenario();
    expect(drawTrial(s, 3)).toEqual(drawTrial(s, 3));
    expect(drawTrial(s, 0, 99)).toEqual(drawTrial(s, 0, 99));
  });

  it.each(['x', 'W1', 'b1', 'W2', 'b2'])('draws %s afresh for each trial', (name) => {
    const s = scenario();
    const [first, second] = [drawTrial(s, 0), drawTrial(s, 1)].map((t) => tensors(t)[name]);
    expect(second).not.toEqual(first);
  });

  it('draws trial t of seed s like trial 0 of seed s + t', () => {
    const s = scenario();
    expect(tensors(drawTrial(s, 2))).toEqual(tensors(drawTrial(s, 0, s.seed + 2)));
  });

  it.each<[string, TensorSpec]>([
    ['uniform', { uniform: [-0.3, 0.7] }],
    ['normal', { normal: [0.1, 2] }],
    ['constant', { constant: 0.1 }],
    ['values', { values: [[0.1, 0.2, 0.3], [1 / 3, Math.PI, 1e-40], [1e30, -0.7, 2], [0, 0, 0], [5, 6, 7]] }],
  ])('draws only float32 numbers (x: %s)', (_kind, x) => {
    const t = drawTrial(scenario({ x }), 4); // W1 and b uniform, W2 normal whatever x is
    const notFloat32 = Object.entries(tensors(t)).flatMap(([name, data]) =>
      data.flatMap((v, i) => (Math.fround(v) === v ? [] : [{ name, i, v, float32: Math.fround(v) }])),
    );
    expect(notFloat32).toEqual([]);
  });

  it('uses `values` as given, rounded to float32, in their shape', () => {
    const values = [[0.1, -2, 1e-50], [1 / 3, 0.5, 3e38], [7, 8, 9], [0, -0, 1], [2 ** -24, 1 + 2 ** -30, 16777217]];
    const t = drawTrial(scenario({ x: { values } }), 5);
    expect({ shape: tensor(t, 'x').shape, rows: rows(tensor(t, 'x').data, 3) }).toEqual({
      shape: [5, 3],
      rows: values.map((row) => row.map(Math.fround)),
    });
    // the same numbers in every trial
    expect(Array.from(tensor(drawTrial(scenario({ x: { values } }), 0), 'x').data)).toEqual(Array.from(tensor(t, 'x').data));
  });

  it('puts given labels one-hot into y', () => {
    const t = drawTrial(scenario({ data: { labels: [2, 0, 1, 1, 0] } }), 0);
    expect({ labels: labelsOf(t, 3), y: rows(tensor(t, 'y').data, 3) }).toEqual({
      labels: [2, 0, 1, 1, 0],
      y: [
        [0, 0, 1],
        [1, 0, 0],
        [0, 1, 0],
        [0, 1, 0],
        [1, 0, 0],
      ],
    });
  });

  it('draws {random: true} labels in range, one-hot in y, and not all alike', () => {
    const s = scenario();
    const drawn = Array.from({ length: 20 }, (_, trial) => drawTrial(s, trial));
    const problems = drawn.flatMap((t) =>
      labelsOf(t, 3).flatMap((label, n) => {
        const row = rows(tensor(t, 'y').data, 3)[n];
        const oneHot = [0, 1, 2].map((k) => (k === label ? 1 : 0));
        return Number.isInteger(label) && label >= 0 && label < 3 && row.join() === oneHot.join() ? [] : [{ trial: t.trial, n, label, row }];
      }),
    );
    expect({ problems, labelsPerTrial: drawn.map((t) => labelsOf(t, 3).length) }).toEqual({ problems: [], labelsPerTrial: drawn.map(() => 5) });
    expect([...new Set(drawn.flatMap((t) => labelsOf(t, 3)))].sort()).toEqual([0, 1, 2]);
  });

  it.each<[number, number]>([
    [-0.5, 0.5],
    [2, 3],
    [-4, -3.5],
  ])('draws uniform [%d, %d) within its bounds', (lo, hi) => {
    const s = scenario({ x: { uniform: [lo, hi] }, init: { uniform: [lo, hi] } });
    const outside = Array.from({ length: 10 }, (_, trial) => drawTrial(s, trial)).flatMap((t) =>
      [...tensor(t, 'x').data, ...tensor(t, 'W1').data].filter((v) => !(v >= lo && v < hi)).map((v) => ({ trial: t.trial, v })),
    );
    expect(outside).toEqual([]);
  });

  it('loads constants with their shape, rounded to float32', () => {
    const t = drawTrial(scenario({ constants: { G: [[0.1, 0.2]], s: 3, v: [1, 2, 0.3], T: [[[1], [2]], [[3], [4]]] } }), 0);
    expect(Object.fromEntries([...t.constants].map(([name, c]) => [name, { shape: c.shape, data: Array.from(c.data) }]))).toEqual({
      G: { shape: [1, 2], data: [Math.fround(0.1), Math.fround(0.2)] },
      s: { shape: [], data: [3] },
      v: { shape: [3], data: [1, 2, Math.fround(0.3)] },
      T: { shape: [2, 2, 1], data: [1, 2, 3, 4] },
    });
  });
});

describe('the storage of a trial', () => {
  it('keeps drawn real numbers as float32 storage (half the memory; the same numbers), one-hot targets as float64', () => {
    const t = drawTrial(scenario(), 0);
    const storage = Object.fromEntries([...t.tensors].map(([name, v]) => [name, v.data.constructor.name]));
    expect(storage).toEqual({ x: 'Float32Array', W1: 'Float32Array', b1: 'Float32Array', W2: 'Float32Array', b2: 'Float32Array', y: 'Float64Array' });
  });
});

describe('drawTrial: a computation', () => {
  const computation = (t: Record<string, unknown>) =>
    Scenario.parse({ title: 'draws', seed: 3, computation: { sizes: { B: 4 }, tensors: t, loss: 'sum(n, x[n])' } });

  it('draws its tensors in the order they are declared, integers uniformly over their classes', () => {
    const s = computation({ x: { shape: ['B'] }, t: { shape: ['B', 3], classes: 5 } });
    const draws = Array.from({ length: 30 }, (_, trial) => drawTrial(s, trial));
    const classes = [...new Set(draws.flatMap((d) => Array.from(tensor(d, 't').data)))].sort();
    expect({ order: [...draws[0].tensors.keys()], classes }).toEqual({ order: ['x', 't'], classes: [0, 1, 2, 3, 4] });
    // x is drawn first: the same x as a computation that has no t
    expect(tensors(draws[7]).x).toEqual(tensors(drawTrial(computation({ x: { shape: ['B'] } }), 7)).x);
  });

  it('takes given integer values as they are, in every trial', () => {
    const s = computation({ x: { shape: ['B'] }, t: { shape: ['B'], classes: 3, values: [2, 0, 1, 1] } });
    expect([0, 5].map((trial) => tensors(drawTrial(s, trial)).t)).toEqual([[2, 0, 1, 1], [2, 0, 1, 1]]);
  });
});
