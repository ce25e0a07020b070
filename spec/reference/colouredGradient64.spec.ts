// ∂E/∂S one column at a time where E is a sum over rows that S feeds row by row
// (src/reference/lossRows.ts, colouredGradient64.ts): found for a network's inputs and
// intermediates under every loss, never where a row reads another row or a sum over the rows
// comes first; the values agree with the element-by-element derivative within both estimates,
// and a column that crosses a kink is left to the element-by-element derivative.

import { colouredLossGradient } from '../../src/reference/colouredGradient64';
import { KinkWatch } from '../../src/reference/definitions64';
import { lossRowsOf, ownRuns } from '../../src/reference/lossRows';
import * as movedPass64 from '../../src/reference/movedPass64';
import * as stackedRows64 from '../../src/reference/stackedRows64';
import { referenceWorld } from '../../src/reference/world64';
import { computationOf } from '../../src/scenario/computationOf';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { reluAtKink } from '../support/reluAtKink';

type Loss = 'softmax-cross-entropy' | 'sigmoid-cross-entropy' | 'mse';
const network = (loss: Loss, activation: 'tanh' | 'sigmoid' | 'relu', reduction: 'mean' | 'sum') =>
  Scenario.parse({
    title: `${loss}/${activation}/${reduction}`,
    seed: 3,
    model: { inputs: 5, layers: [{ units: 6, activation }, { units: 4, activation: 'linear' }], loss: { type: loss, reduction } },
    data: { batch: 7, labels: { random: true } },
  });

const computation = (define: string[], loss: string) =>
  Scenario.parse({
    title: 'rows',
    seed: 5,
    computation: { sizes: { N: 6, D: 3 }, tensors: { x: { shape: ['N', 'D'] }, w: { shape: ['D'] } }, define, loss },
  });

/** max over elements of |coloured − element by element| / (both estimates): at most 1 when they agree. */
function worstRatio(scenario: Scenario, symbol: string): number {
  const world = referenceWorld(scenario, drawTrial(scenario, 0));
  const rows = lossRowsOf(computationOf(scenario), symbol, world.env.get(symbol)!.shape)!;
  const g = colouredLossGradient(computationOf(scenario), world.env, new KinkWatch(), symbol, rows, (i) => world.lossDerivativeAt(symbol, i))!;
  const full = world.gradient(symbol, 1, (e) => e.get('E')!);
  let worst = 0;
  g.data.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(v - full.data[i]) / (g.error![i] + full.error![i]));
  });
  return worst;
}

describe('E as a sum over rows', () => {
  it.each([
    ['softmax-cross-entropy', 'tanh', 'mean'],
    ['sigmoid-cross-entropy', 'sigmoid', 'sum'],
    ['mse', 'relu', 'mean'],
  ] as const)('%s, %s, %s: x, net and a of every layer and o by rows along n; W1 not', (loss, activation, reduction) => {
    const scenario = network(loss, activation, reduction);
    const c = computationOf(scenario);
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    const found = ['x', 'net1', 'a1', 'net2', 'a2', 'o', 'W1', 'b1'].map((s) => {
      const rows = lossRowsOf(c, s, world.env.get(s)!.shape);
      return rows && { axis: rows.axis, variable: rows.variable, rows: rows.rows };
    });
    const row = { axis: 0, variable: 'n', rows: 7 };
    expect(found).toEqual([row, row, row, row, row, row, null, null]);
    // one run per column: net2 (7·4) in 4, x (7·5) in 5
    expect([ownRuns(c, 'net2', [7, 4]), ownRuns(c, 'x', [7, 5]), ownRuns(c, 'W1', [5, 6])]).toEqual([4, 5, 30]);
  });

  it.each([
    ['softmax-cross-entropy', 'tanh', 'mean'],
    ['sigmoid-cross-entropy', 'sigmoid', 'sum'],
    ['mse', 'tanh', 'sum'],
  ] as const)('%s, %s, %s: by columns within the estimates of the element-by-element derivative', (loss, activation, reduction) => {
    const scenario = network(loss, activation, reduction);
    for (const s of ['net2', 'o', 'a1', 'x']) expect({ s, agrees: worstRatio(scenario, s) <= 1 }).toEqual({ s, agrees: true });
  });

  it('every column in one run over stacked copies of the rows; one run a column where a formula reads the row index as a number', () => {
    /** The finite-difference runs ∂E/∂symbol by columns takes, and whether the rows were stacked. */
    const runsOf = (scenario: Scenario, symbol: string) => {
      const world = referenceWorld(scenario, drawTrial(scenario, 0));
      const c = computationOf(scenario);
      const rows = lossRowsOf(c, symbol, world.env.get(symbol)!.shape)!;
      const runs = jest.spyOn(movedPass64, 'movedPass');
      const stacked = jest.spyOn(stackedRows64, 'stackedRows');
      colouredLossGradient(c, world.env, new KinkWatch(), symbol, rows, (i) => world.lossDerivativeAt(symbol, i));
      const found = { runs: runs.mock.calls.length, stacked: stacked.mock.results.map((r) => r.value !== null) };
      runs.mockRestore();
      stacked.mockRestore();
      return found;
    };
    // net2 of a softmax network (7 rows, 4 columns): one run
    expect(runsOf(network('softmax-cross-entropy', 'tanh', 'mean'), 'net2')).toEqual({ runs: 1, stacked: [true] });
    // ind(d > n) reads the row index n as a number: x's 3 columns in 3 runs
    expect(runsOf(computation([], 'sum(n, sum(d, x[n,d]^2 * (1 + ind(d > n))))'), 'x')).toEqual({ runs: 3, stacked: [false] });
    // x is read at the row index by the loss and summed over its rows by h: repeated, the mean
    // would take in every copy (stacked so, ∂E/∂g came out up to 79% off), so g's columns run one at a time
    const summed = computation(['g[n,d] = 2 * x[n,d]', 'h[n,d] = tanh(g[n,d] + mean(m, x[m,d]))'], 'sum(n, sum(d, h[n,d] * x[n,d]))');
    expect(runsOf(summed, 'g')).toEqual({ runs: 3, stacked: [false] });
    expect(worstRatio(summed, 'g')).toBeLessThanOrEqual(1);
  });

  it('columns more than one stacked run holds: runs of as many as fit, stacked once for every run of that size', () => {
    // net2 of 1000 rows and 6 classes: 6000 numbers, 2 copies fit in STACKED_NUMBERS (16384)
    const wide = Scenario.parse({
      title: 'wide',
      seed: 3,
      model: { inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 6, activation: 'linear' }], loss: { type: 'softmax-cross-entropy', reduction: 'mean' } },
      data: { batch: 1000, labels: { random: true } },
    });
    const world = referenceWorld(wide, drawTrial(wide, 0));
    const c = computationOf(wide);
    const rows = lossRowsOf(c, 'net2', [1000, 6])!;
    const runs = jest.spyOn(movedPass64, 'movedPass');
    const stacked = jest.spyOn(stackedRows64, 'stackedRows');
    const together = colouredLossGradient(c, world.env, new KinkWatch(), 'net2', rows, (i) => world.lossDerivativeAt('net2', i))!;
    expect({ runs: runs.mock.calls.length, stackings: stacked.mock.calls.map((call) => call[4]) }).toEqual({ runs: 3, stackings: [2] });
    runs.mockRestore();
    stacked.mockReturnValue(null);
    const apart = colouredLossGradient(c, world.env, new KinkWatch(), 'net2', rows, (i) => world.lossDerivativeAt('net2', i))!;
    stacked.mockRestore();
    together.data.forEach((v, i) => expect({ i, agrees: Math.abs(v - apart.data[i]) <= together.error![i] + apart.error![i] }).toEqual({ i, agrees: true }));
  });

  it('stacked runs give what a run a column gives, within both estimates', () => {
    for (const [loss, activation] of [['softmax-cross-entropy', 'tanh'], ['sigmoid-cross-entropy', 'sigmoid'], ['mse', 'relu']] as const) {
      const scenario = network(loss, activation, 'mean');
      const world = referenceWorld(scenario, drawTrial(scenario, 0));
      const c = computationOf(scenario);
      const rows = lossRowsOf(c, 'net2', [7, 4])!;
      const together = colouredLossGradient(c, world.env, new KinkWatch(), 'net2', rows, (i) => world.lossDerivativeAt('net2', i))!;
      const alone = jest.spyOn(stackedRows64, 'stackedRows').mockReturnValue(null);
      const apart = colouredLossGradient(c, world.env, new KinkWatch(), 'net2', rows, (i) => world.lossDerivativeAt('net2', i))!;
      alone.mockRestore();
      together.data.forEach((v, i) => expect({ loss, i, agrees: Math.abs(v - apart.data[i]) <= together.error![i] + apart.error![i] }).toEqual({ loss, i, agrees: true }));
    }
  });

  it('rows along whichever axis the loss sums last: Σ_d w_d · max_n x[n,d] by columns d', () => {
    const scenario = computation([], 'sum(d, w[d] * maxover(n, x[n,d]))');
    expect(lossRowsOf(computationOf(scenario), 'x', [6, 3])).toMatchObject({ axis: 1, variable: 'd', rows: 3 });
    expect(worstRatio(scenario, 'x')).toBeLessThanOrEqual(1);
  });

  it('a row term that reads the row index itself, in a condition: the index keeps its range', () => {
    const scenario = computation([], 'sum(n, sum(d, x[n,d]^2 * (1 + ind(d > n))))');
    expect(lossRowsOf(computationOf(scenario), 'x', [6, 3])).toMatchObject({ axis: 0, variable: 'n', rows: 6 });
    expect(worstRatio(scenario, 'x')).toBeLessThanOrEqual(1);
  });

  it('a row term read through a transposed definition: rows along its second axis', () => {
    const scenario = computation(['h[d,n] = tanh(x[n,d] * w[d])'], 'mean(n, sum(d, h[d,n]^2))');
    const c = computationOf(scenario);
    expect(lossRowsOf(c, 'x', [6, 3])).toMatchObject({ axis: 0, variable: 'n', rows: 6 });
    expect(lossRowsOf(c, 'h', [3, 6])).toMatchObject({ axis: 1, variable: 'n', rows: 6 });
    expect(worstRatio(scenario, 'x')).toBeLessThanOrEqual(1);
    expect(worstRatio(scenario, 'h')).toBeLessThanOrEqual(1);
  });

  it.each([
    ['a row reads another row', ['h[n,d] = x[n,d] * x[0,d]'], 'sum(n, sum(d, h[n,d]^2))'],
    ['a row reads its neighbour', ['h[n,d] = x[n,d] * pad(x, 1, 0)[n + 2, d]'], 'sum(n, sum(d, h[n,d]^2))'],
    ['a mean over the rows first (batch norm)', ['mu[d] = mean(n, x[n,d])', 'h[n,d] = x[n,d] - mu[d]'], 'sum(n, sum(d, h[n,d]^2))'],
    ['the loss is no sum over rows', [], 'maxover(n, sum(d, w[d] * x[n,d]^2))'],
    ['every term reads one fixed element', [], 'sum(d, w[d] * x[0,d] * x[0,0])'],
    ['something added to the sum', [], 'sum(n, sum(d, x[n,d]^2)) + sum(d, x[0,d])'],
  ])('%s: no rows, and ∂E/∂x is still right', (_name, define, loss) => {
    const scenario = computation(define as string[], loss as string);
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    expect(lossRowsOf(computationOf(scenario), 'x', [6, 3])).toBeNull();
    const g = world.lossGradient!('x')!;
    const full = world.gradient('x', 1, (e) => e.get('E')!);
    g.data.forEach((v, i) => expect(Math.abs(v - full.data[i])).toBeLessThanOrEqual(g.error![i] + full.error![i]));
  });

  it('coupled rows given rows anyway would be wrong: the check that refuses them matters', () => {
    // h[n] = x[n] * x[0]: moving a column moves row 0's factor in every row. Taken as rows (forced
    // here by the rows of the uncoupled twin), the columns' derivatives differ from the truth.
    const coupled = computation(['h[n,d] = x[n,d] * x[0,d]'], 'sum(n, sum(d, h[n,d]^2))');
    const twin = computation(['h[n,d] = x[n,d] * x[n,d]'], 'sum(n, sum(d, h[n,d]^2))');
    const rows = lossRowsOf(computationOf(twin), 'x', [6, 3])!;
    const world = referenceWorld(coupled, drawTrial(coupled, 0));
    const forced = colouredLossGradient(computationOf(coupled), world.env, new KinkWatch(), 'x', { ...rows, checked: computationOf(coupled).definitions.find((d) => d.name === 'E')!.checked, term: (computationOf(coupled).definitions.find((d) => d.name === 'E')!.body as { args: unknown[] }).args[1] as typeof rows.term }, (i) => world.lossDerivativeAt('x', i))!;
    const full = world.gradient('x', 1, (e) => e.get('E')!);
    const differs = Array.from(forced.data).some((v, i) => Math.abs(v - full.data[i]) > forced.error![i] + full.error![i]);
    expect(differs).toBe(true);
  });

  it('a column whose move crosses a relu kink is given up; the element-by-element derivative finds the kink', () => {
    const scenario = reluAtKink({ x: [[1], [2]], labels: [0, 1] });
    const c = computationOf(scenario);
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    const rows = lossRowsOf(c, 'net1', [2, 2])!;
    expect(rows).not.toBeNull();
    // net1[0,0] = 1·1 − 1 = 0: relu's kink, in column 0
    expect(colouredLossGradient(c, world.env, new KinkWatch(), 'net1', rows, (i) => world.lossDerivativeAt('net1', i))).toBeNull();
    const g = world.lossGradient!('net1')!;
    expect(Array.from(g.kink ?? [])).toEqual([1, 0, 0, 0]);
  });

  it.each([
    ['an inner sum over the same name', 'sum(n, x[n,0] * sum(n, x[n,1]))'],
    ['an inner maxover over the same name', 'sum(n, sum(d, x[n,d]) * maxover(n, x[n,0]))'],
    ['an inner minover over the same name, under −mean', '-mean(n, x[n,0] - minover(n, x[n,1]^2))'],
  ])('%s reads every row: no rows, and ∂E/∂x (and each element by itself) is right', (_name, loss) => {
    const scenario = computation([], loss);
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    expect(lossRowsOf(computationOf(scenario), 'x', [6, 3])).toBeNull();
    const g = world.lossGradient!('x')!;
    const full = world.gradient('x', 1, (e) => e.get('E')!);
    g.data.forEach((v, i) => {
      if (full.kink?.[i]) return;
      expect({ i, agrees: Math.abs(v - full.data[i]) <= g.error![i] + full.error![i] }).toEqual({ i, agrees: true });
      const own = world.lossDerivativeAt('x', i);
      expect({ i, own: Math.abs(own.value - full.data[i]) <= own.error + full.error![i] }).toEqual({ i, own: true });
    });
  });

  it.each([
    ['by columns: Σ w/x', [], 'sum(n, sum(d, w[d] / x[n,d]))'],
    ['through an elementwise reader: h = 1/x, Σ h·w', ['h[n,d] = 1 / x[n,d]'], 'sum(n, sum(d, h[n,d] * w[d]))'],
    ['through an elementwise reader: h = log(x), Σ h·w', ['h[n,d] = log(x[n,d])'], 'sum(n, sum(d, h[n,d] * w[d]))'],
  ])('%s with one element 1e-7 next to the pole at 0: that element again by itself, −w/x² (1/x) or w/x (log)', (name, define, loss) => {
    const scenario = Scenario.parse({
      title: 'a pole at 0',
      seed: 1,
      computation: {
        sizes: { N: 3, D: 2 },
        tensors: { x: { shape: ['N', 'D'], init: { values: [[1e-7, 1], [2, 3], [0.5, 0.7]] } }, w: { shape: ['D'], init: { values: [1.5, -0.5] } } },
        define: define as string[],
        loss: loss as string,
      },
    });
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    const x = world.env.get('x')!.data;
    const w = world.env.get('w')!.data;
    const g = world.lossGradient!('x')!;
    g.data.forEach((v, i) => {
      const closed = (name as string).includes('log') ? w[i % 2] / x[i] : -w[i % 2] / (x[i] * x[i]);
      expect({ i, agrees: Math.abs(v - closed) <= g.error![i] + 1e-12 * Math.abs(closed) }).toEqual({ i, agrees: true });
    });
    expect(world.gradientScale()).toBeGreaterThan(0);
  });
});
