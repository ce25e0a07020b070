import * as tf from '@tensorflow/tfjs';
import { useSpecBackend } from '../support/backend';
import { checked, evaluateIn, indexTuples, scenarioOf, WORLDS, type WorldName } from '../support/formulaWorlds';

// The generic formula evaluator against values worked out here, in both worlds: a small network
// with exact `values` (every number a multiple of 1/8, so float32 holds it exactly) and constants
// whose shapes exercise each index rule. The network's own symbols are recomputed below by plain
// loops; each case's expected value is written from those, element by element.

const x = [[1, 2], [-0.5, 1.5]];
const W1 = [[0.5, -1, 0.25], [0.75, 0.5, -0.5]];
const b1 = [0.25, -0.25, 1];
const W2 = [[1, -0.5], [-0.25, 0.75], [0.5, 0.25]];
const b2 = [0, 0.125];
const labels = [0, 1];
const learningRate = 0.5;

const constants = {
  T: [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
  u: [2, -3],
  c: [1, -2, 0.5],
  A: [[1, 2, 3], [-1, 0, 2]],
  B: [[1, 0, 2, -1], [0.5, 1, -1, 2], [3, -2, 0, 1]],
  // P[n,i,k] and Q[n,k,j]: a batched product, n shared by both factors
  P: [[[1, 2, 0], [0, -1, 3]], [[2, 0.5, 1], [-2, 1, 1]]],
  Q: [[[1, 0], [2, 1], [-1, 3]], [[0.5, 2], [1, -1], [4, 0]]],
  v: [-1.5, 0, 0.25, 4],
  pos: [0.25, 1, 4],
  s: 3,
};

const scenario = scenarioOf({
  title: 'evaluator spec network: 2-3-2, relu hidden, softmax cross-entropy, batch 2',
  model: {
    inputs: 2,
    layers: [
      { units: 3, activation: 'relu', init: { values: W1 }, biasInit: { values: b1 } },
      { units: 2, activation: 'linear', init: { values: W2 }, biasInit: { values: b2 } },
    ],
    loss: { type: 'softmax-cross-entropy', reduction: 'mean' },
  },
  data: { batch: 2, x: { values: x }, labels },
  optimizer: { type: 'sgd', learningRate },
  constants,
});

// The forward pass and the gradients of the softmax cross-entropy, by hand.
const N = 2;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const matMul = (a: number[][], b: number[][]) => a.map((row) => b[0].map((_, j) => row.reduce((t, v, k) => t + v * b[k][j], 0)));
const net1 = matMul(x, W1).map((row) => row.map((v, j) => v + b1[j]));
const a1 = net1.map((row) => row.map((v) => Math.max(v, 0)));
const net2 = matMul(a1, W2).map((row) => row.map((v, k) => v + b2[k]));
const o = net2.map((row) => {
  const e = row.map(Math.exp);
  const total = e[0] + e[1];
  return e.map((v) => v / total);
});
const y = labels.map((label) => [0, 1].map((k) => (k === label ? 1 : 0)));
const E = -range(N).reduce((t, n) => t + Math.log(o[n][labels[n]]), 0) / N;
/** ∂E/∂net2 = (o − y)/N */
const dNet2 = o.map((row, n) => row.map((v, k) => (v - y[n][k]) / N));
/** ∂E/∂a1 = ∂E/∂net2 · W2ᵀ */
const dA1 = dNet2.map((row) => W2.map((w) => w.reduce((t, v, k) => t + v * row[k], 0)));
/** ∂E/∂net1 = ∂E/∂a1 ∘ step(net1) */
const dNet1 = dA1.map((row, n) => row.map((v, j) => (net1[n][j] > 0 ? v : 0)));
const dW2 = range(3).map((j) => range(2).map((k) => range(N).reduce((t, n) => t + a1[n][j] * dNet2[n][k], 0)));
const dW1 = range(2).map((i) => range(3).map((j) => range(N).reduce((t, n) => t + x[n][i] * dNet1[n][j], 0)));
const dX = dNet1.map((row) => W1.map((w) => w.reduce((t, v, j) => t + v * row[j], 0)));

const { T, u, c, A, B, P, Q, v, pos } = constants;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

type Expected = (...index: number[]) => number;
/** formula, its free indices in order of first appearance, the value at each index */
type Case = [string, string[], Expected];

const cases: Record<string, Case[]> = {
  'symbols and indexing': [
    ['E', [], () => E],
    ['N', [], () => N],
    ['s', [], () => 3],
    ['x[n,i]', ['n', 'i'], (n, i) => x[n][i]],
    ['a0[n,i]', ['n', 'i'], (n, i) => x[n][i]],
    ['net1[n,j]', ['n', 'j'], (n, j) => net1[n][j]],
    ['a1[n,j]', ['n', 'j'], (n, j) => a1[n][j]],
    ['net2[n,k]', ['n', 'k'], (n, k) => net2[n][k]],
    ['o[n,k]', ['n', 'k'], (n, k) => o[n][k]],
    ['y[n,k]', ['n', 'k'], (n, k) => y[n][k]],
    ['b1[j]', ['j'], (j) => b1[j]],
    ['W2[j,k]', ['j', 'k'], (j, k) => W2[j][k]],
    ['W2[k,j]', ['k', 'j'], (k, j) => W2[k][j]],
    ['x[1,i]', ['i'], (i) => x[1][i]],
    ['x[n,0]', ['n'], (n) => x[n][0]],
    ['W2[2,1]', [], () => W2[2][1]],
    ['P[n,1,k]', ['n', 'k'], (n, k) => P[n][1][k]],
    ['P[1,i,2]', ['i'], (i) => P[1][i][2]],
  ],
  'repeated index (diagonal)': [
    ['T[i,i]', ['i'], (i) => T[i][i]],
    ['sum(i, T[i,i])', [], () => 15],
    ['T[i,i] * T[i,j]', ['i', 'j'], (i, j) => T[i][i] * T[i][j]],
    ['T[i,i] + c[i]', ['i'], (i) => T[i][i] + c[i]],
  ],
  broadcasting: [
    ['u[n] * c[j]', ['n', 'j'], (n, j) => u[n] * c[j]],
    ['c[j] + u[n]', ['j', 'n'], (j, n) => c[j] + u[n]],
    ['x[n,i] - W1[i,j]', ['n', 'i', 'j'], (n, i, j) => x[n][i] - W1[i][j]],
    ['a1[n,j] + b1[j] * u[n] - 1', ['n', 'j'], (n, j) => a1[n][j] + b1[j] * u[n] - 1],
    ['T[i,j] / c[j]', ['i', 'j'], (i, j) => T[i][j] / c[j]],
    ['E + x[n,i]', ['n', 'i'], (n, i) => E + x[n][i]],
  ],
  'sum and mean': [
    ['sum(k, c[k])', [], () => -0.5],
    ['mean(k, c[k])', [], () => -0.5 / 3],
    ['sum(j, T[i,j])', ['i'], (i) => T[i][0] + T[i][1] + T[i][2]],
    ['mean(n, x[n,i])', ['i'], (i) => (x[0][i] + x[1][i]) / 2],
    ['sum(i, sum(j, T[i,j]))', [], () => 45],
    ['sum(i, mean(j, T[i,j] * c[j]))', [], () => range(3).reduce((t, i) => t + range(3).reduce((s, j) => s + T[i][j] * c[j], 0) / 3, 0)],
    ['sum(m, c[m]) * c[k]', ['k'], (k) => -0.5 * c[k]],
    ['sum(k, T[k,j] + c[k])', ['j'], (j) => range(3).reduce((t, k) => t + T[k][j] + c[k], 0)],
    ['mean(n, (o[n,k] - y[n,k]))', ['k'], (k) => (o[0][k] - y[0][k] + o[1][k] - y[1][k]) / 2],
  ],
  'contraction sum(k, a*b)': [
    // left-only i, right-only j: a matrix product
    ['sum(k, A[i,k] * B[k,j])', ['i', 'j'], (i, j) => range(3).reduce((t, k) => t + A[i][k] * B[k][j], 0)],
    // the same with the factors written the other way round
    ['sum(k, B[k,j] * A[i,k])', ['j', 'i'], (j, i) => range(3).reduce((t, k) => t + A[i][k] * B[k][j], 0)],
    // n shared by both factors: a batched product
    ['sum(k, P[n,i,k] * Q[n,k,j])', ['n', 'i', 'j'], (n, i, j) => range(3).reduce((t, k) => t + P[n][i][k] * Q[n][k][j], 0)],
    // shared only: a dot product per n
    ['sum(i, x[n,i] * u[i])', ['n'], (n) => x[n][0] * u[0] + x[n][1] * u[1]],
    // no free index at all
    ['sum(k, c[k] * c[k])', [], () => 1 + 4 + 0.25],
    // three factors with k, and one without it
    ['sum(k, A[i,k] * B[k,j] * c[k])', ['i', 'j'], (i, j) => range(3).reduce((t, k) => t + A[i][k] * B[k][j] * c[k], 0)],
    ['sum(k, u[i] * A[i,k] * c[k])', ['i'], (i) => u[i] * range(3).reduce((t, k) => t + A[i][k] * c[k], 0)],
    ['sum(k, A[i,k] * s * c[k] * A[m,k])', ['i', 'm'], (i, m) => 3 * range(3).reduce((t, k) => t + A[i][k] * c[k] * A[m][k], 0)],
    // a factor that is itself a sum
    ['sum(k, (o[n,k] - y[n,k]) * W2[j,k])', ['n', 'j'], (n, j) => dA1[n][j] * N],
    ['sum(n, x[n,i] * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))', ['i', 'j'], (i, j) => range(N).reduce((t, n) => t + x[n][i] * dA1[n][j] * N, 0)],
    // the diagonal of a factor inside the contraction
    ['sum(k, T[k,k] * c[k])', [], () => 1 * 1 + 5 * -2 + 9 * 0.5],
  ],
  delta: [
    ['delta(i,j) * T[i,j]', ['i', 'j'], (i, j) => (i === j ? T[i][j] : 0)],
    ['sum(j, delta(i,j) * T[i,j])', ['i'], (i) => T[i][i]],
    ['delta(n,j) * u[n] * c[j]', ['n', 'j'], (n, j) => (n === j ? u[n] * c[j] : 0)],
    ['delta(i,i) * c[i]', ['i'], (i) => c[i]],
    ['sum(k, (delta(j,k) - o[0,j]) * o[0,k])', ['j'], (j) => o[0][j] - o[0][j] * (o[0][0] + o[0][1])],
  ],
  'elementwise functions': [
    ['exp(v[k])', ['k'], (k) => Math.exp(v[k])],
    ['log(pos[k])', ['k'], (k) => Math.log(pos[k])],
    ['sqrt(pos[k])', ['k'], (k) => Math.sqrt(pos[k])],
    ['abs(v[k])', ['k'], (k) => Math.abs(v[k])],
    ['sigmoid(v[k])', ['k'], (k) => sigmoid(v[k])],
    ['tanh(v[k])', ['k'], (k) => Math.tanh(v[k])],
    ['relu(v[k])', ['k'], (k) => Math.max(v[k], 0)],
    ['step(v[k])', ['k'], (k) => (v[k] > 0 ? 1 : 0)],
    ['step(net1[n,j])', ['n', 'j'], (n, j) => (net1[n][j] > 0 ? 1 : 0)],
    ['relu(net1[n,j])', ['n', 'j'], (n, j) => a1[n][j]],
    ['exp(net2[n,k]) / sum(m, exp(net2[n,m]))', ['n', 'k'], (n, k) => o[n][k]],
  ],
  'operators ^ and unary minus': [
    ['v[k]^2', ['k'], (k) => v[k] ** 2],
    ['2^v[k]', ['k'], (k) => 2 ** v[k]],
    ['pos[k]^0.5', ['k'], (k) => Math.sqrt(pos[k])],
    ['-v[k]^2', ['k'], (k) => -(v[k] ** 2)],
    ['(-v[k])^2', ['k'], (k) => v[k] ** 2],
    ['2^3^2', [], () => 512],
    ['2^-1', [], () => 0.5],
    ['-c[k]', ['k'], (k) => -c[k]],
    ['- -c[k]', ['k'], (k) => c[k]],
    ['c[k] * -u[n]', ['k', 'n'], (k, n) => -c[k] * u[n]],
    ['1 - 2 - 3', [], () => -4],
    ['8 / 4 / 2', [], () => 1],
    ['1 + 2 * 3', [], () => 7],
    ['(1 + 2) * 3', [], () => 9],
  ],
  'grad and next': [
    ['grad(E, W2)[j,k]', ['j', 'k'], (j, k) => dW2[j][k]],
    ['grad(E, W2)[1,k]', ['k'], (k) => dW2[1][k]],
    ['grad(E, b2)[k]', ['k'], (k) => dNet2[0][k] + dNet2[1][k]],
    ['grad(E, W1)[i,j]', ['i', 'j'], (i, j) => dW1[i][j]],
    ['grad(E, b1)[j]', ['j'], (j) => dNet1[0][j] + dNet1[1][j]],
    ['grad(E, x)[n,i]', ['n', 'i'], (n, i) => dX[n][i]],
    ['grad(E, a0)[n,i]', ['n', 'i'], (n, i) => dX[n][i]],
    // intermediates: the rest of the network recomputed from them
    ['grad(E, net2)[n,k]', ['n', 'k'], (n, k) => dNet2[n][k]],
    ['grad(E, a1)[n,j]', ['n', 'j'], (n, j) => dA1[n][j]],
    ['grad(E, net1)[n,j]', ['n', 'j'], (n, j) => dNet1[n][j]],
    ['grad(E, o)[n,k]', ['n', 'k'], (n, k) => -y[n][k] / o[n][k] / N],
    // a formula of the network, scalar
    ['grad(N * E, W2)[j,k]', ['j', 'k'], (j, k) => N * dW2[j][k]],
    ['grad(sum(n, sum(k, o[n,k] * o[n,k])), net2)[0,0]', [], () => 2 * o[0][0] * o[0][0] * (1 - o[0][0]) + 2 * o[0][1] * o[0][1] * -o[0][0]],
    // free indices in F: one derivative per value; ∂(−log(1 − o_k))/∂W2[j,k] = o_k·a1_j
    ['grad(-log(1 - o[0,k]), W2)[j,k]', ['k', 'j'], (k, j) => o[0][k] * a1[0][j]],
    ['grad(o[n,k], net2)[n,k]', ['n', 'k'], (n, k) => o[n][k] * (1 - o[n][k])],
    ['grad(o[0,k], net2)[0,m]', ['k', 'm'], (k, m) => o[0][k] * ((k === m ? 1 : 0) - o[0][m])],
    ['grad(net1[n,j], x)[n,i]', ['n', 'j', 'i'], (_n, j, i) => W1[i][j]],
    ['next(W2)[j,k]', ['j', 'k'], (j, k) => W2[j][k] - learningRate * dW2[j][k]],
    ['next(b1)[j]', ['j'], (j) => b1[j] - learningRate * (dNet1[0][j] + dNet1[1][j])],
    ['(W2[j,k] - next(W2)[j,k]) / grad(E, W2)[j,k]', ['j', 'k'], () => learningRate],
  ],
};

/** where formulas, with an lhs that gives them their free indices */
type WhereCase = [string, string, string[], (...index: number[]) => boolean];
const whereCases: WhereCase[] = [
  ['k != 0', 'c[k]', ['k'], (k) => k !== 0],
  ['k == 1', 'c[k]', ['k'], (k) => k === 1],
  ['i == j', 'T[i,j]', ['i', 'j'], (i, j) => i === j],
  ['i < j', 'T[i,j]', ['i', 'j'], (i, j) => i < j],
  ['i <= j and j != 2', 'T[i,j]', ['i', 'j'], (i, j) => i <= j && j !== 2],
  ['i > 1 or j >= 2', 'T[i,j]', ['i', 'j'], (i, j) => i > 1 || j >= 2],
  ['not (i == j)', 'T[i,j]', ['i', 'j'], (i, j) => i !== j],
  ['not i == j or i == 0', 'T[i,j]', ['i', 'j'], (i, j) => !(i === j) || i === 0],
  ['T[i,j] > 4 and not i == j', 'T[i,j]', ['i', 'j'], (i, j) => T[i][j] > 4 && i !== j],
  ['net1[n,j] > 0', 'a1[n,j]', ['n', 'j'], (n, j) => net1[n][j] > 0],
  ['y[n,k] == 1', 'o[n,k]', ['n', 'k'], (n, k) => y[n][k] === 1],
  ['k == 2 * n', 'P[n,i,k]', ['n', 'i', 'k'], (n, _i, k) => k === 2 * n],
  ['sum(m, T[i,m]) > 10 + i', 'T[i,j]', ['i', 'j'], (i) => T[i][0] + T[i][1] + T[i][2] > 10 + i],
  ['grad(E, W2)[j,k] < 0', 'W2[j,k]', ['j', 'k'], (j, k) => dW2[j][k] < 0],
  ['k != 0', 'sum(j, T[j,k])', ['k'], (k) => k !== 0],
  // a bound index's value inside a sum of where: m runs over the sum, not over a free index
  ['sum(m, T[i,m] * m) > 10', 'T[i,j]', ['i', 'j'], (i) => T[i][1] + 2 * T[i][2] > 10],
  ['mean(m, c[m] * m) < i', 'T[i,j]', ['i', 'j'], (i) => (-2 + 2 * 0.5) / 3 < i],
];

/** Absolute difference allowed against the hand-computed value: float64 (finite differences for grad), float32. */
function allowed(world: WorldName, want: number): number {
  return (world === 'reference' ? 1e-9 : 2e-6) * Math.max(1, Math.abs(want));
}

useSpecBackend();

describe.each(WORLDS)('FormulaEvaluator in the %s world', (world) => {
  for (const [group, table] of Object.entries(cases)) {
    describe(group, () => {
      it.each(table)('%s', (formula, vars, want) => {
        const result = evaluateIn(world, scenario, checked(scenario, { lhs: formula, rhs: '0' }));
        expect(result.vars).toEqual(vars);
        expect(result.lhs.data.length).toBe(indexTuples(result.sizes).length);
        const wrong = indexTuples(result.sizes).flatMap((index, flat) => {
          const got = result.lhs.data[flat];
          const expected = want(...index);
          return Math.abs(got - expected) <= allowed(world, expected) ? [] : [{ index, got, expected }];
        });
        expect(wrong).toEqual([]);
      });
    });
  }

  describe('where', () => {
    it.each(whereCases)('%s (over %s)', (where, lhs, vars, want) => {
      const result = evaluateIn(world, scenario, checked(scenario, { lhs, rhs: '0', where }));
      expect(result.vars).toEqual(vars);
      const got = result.where!.data.map((value) => value !== 0);
      const expected = indexTuples(result.sizes).map((index) => want(...index));
      expect(got).toEqual(expected);
      // a condition is 1 or 0, never anything else
      expect(result.where!.data.filter((value) => value !== 0 && value !== 1)).toEqual([]);
    });
  });

  it('a constant side is laid out over the free indices of the other', () => {
    const result = evaluateIn(world, scenario, checked(scenario, { lhs: 'T[i,j]', rhs: 's' }));
    expect(result.rhs.data).toEqual(new Array(9).fill(3));
  });

  it('grad inside grad (a second derivative) is refused by the checker', () => {
    expect(() => checked(scenario, { lhs: 'grad(grad(E, W2)[j,k], W1)[i,m]', rhs: '0' })).toThrow('grad inside grad (a second derivative) is not supported at character 5');
  });
});

describe('the reference world carries its error estimate', () => {
  it('grad(...) has an error bound, small next to the value; exact symbols have none', () => {
    const result = evaluateIn('reference', scenario, checked(scenario, { lhs: 'grad(E, W2)[j,k]', rhs: 'x[0,0] * W2[j,k]' }));
    expect(result.lhs.error).not.toBeNull();
    expect(Math.max(...result.lhs.error!)).toBeLessThan(1e-9);
    expect(result.rhs.error).toBeNull();
  });

  it('the error bound survives a contraction', () => {
    const result = evaluateIn('reference', scenario, checked(scenario, { lhs: 'sum(k, grad(E, W2)[j,k] * W2[j,k])', rhs: '0' }));
    expect(result.lhs.error).not.toBeNull();
    expect(result.lhs.error!.length).toBe(3);
  });
});

describe('the tfjs world', () => {
  it('leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    for (const table of Object.values(cases)) {
      for (const [formula] of table) evaluateIn('tfjs', scenario, checked(scenario, { lhs: formula, rhs: '0' }));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
