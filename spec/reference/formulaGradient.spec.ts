// grad(F, Q) with F a formula other than E, on a large Q (src/reference/world64.ts
// formulaGradient, src/reference/rootedAt64.ts): each output of F is the loss of the computation
// rooted at it, and ∂F/∂Q comes the way ∂E/∂Q does at scale (the chain rule, columns), a few
// finite-difference runs per output instead of one per element of Q. Its numbers agree with the
// element-by-element Jacobian within the two estimates.

import type { World } from '../../src/formula/algebra';
import { expandTo, FormulaEvaluator } from '../../src/formula/evaluate';
import type { Value64 } from '../../src/reference/algebra64';
import { KinkWatch } from '../../src/reference/definitions64';
import * as kinks from '../../src/reference/kinks';
import { rootedAt } from '../../src/reference/rootedAt64';
import { LARGE_TENSOR, referenceWorld } from '../../src/reference/world64';
import { computationOf } from '../../src/scenario/computationOf';
import { drawTrial } from '../../src/scenario/trialValues';
import { checked, scenarioOf } from '../support/formulaWorlds';

type Act = 'tanh' | 'relu';
const inputs = 72;
const hidden = 60;
const batch = 4;

/** `x`: the inputs, with constant first-layer weights (else drawn) */
const network = (activation: Act, x?: number[][]) =>
  scenarioOf({
    title: `${inputs}-${hidden}-10 ${activation}`,
    seed: 9,
    model: {
      inputs,
      layers: [
        { units: hidden, activation, bias: false, init: x ? { constant: 0.01 } : { normal: [0, 0.1] } },
        { units: 10, activation: 'linear', bias: false, init: { normal: [0, 0.1] } },
      ],
      loss: { type: 'softmax-cross-entropy' },
    },
    data: { batch, labels: { random: true }, ...(x ? { x: { values: x } } : {}) },
  });

/** The data term written out, per example. */
const PER_EXAMPLE = 'sum(k, -y[n,k] * log(o[n,k]))';
/** The data term's share of each class: F with a free index k (one output per class), each a sum over the rows. */
const PER_CLASS = 'sum(n, -y[n,k] * log(o[n,k]))';

/** The rhs of a claim in the reference world, laid out over the claim's free indices; `elementwise`: without F's formula (one run per element of Q). */
function rhsOf(activation: Act, rhs: string, elementwise = false, x?: number[][]): Value64 {
  const scenario = network(activation, x);
  const claim = checked(scenario, { lhs: 'grad(E, W1)[i,j]', rhs });
  const world = referenceWorld(scenario, drawTrial(scenario, 0));
  const used: World<Value64> = elementwise ? { ...world, gradient: (symbol, outputs, f) => world.gradient(symbol, outputs, f) } : world;
  const vars = claim.freeIndices.map((f) => f.name);
  return expandTo(used.algebra, new FormulaEvaluator(claim, used).evaluate(claim.rhs), vars, claim.freeIndices.map((f) => f.size));
}

/** Finite-difference runs (derivative64 calls) that `f` makes. */
function runsOf<R>(f: () => R): { result: R; runs: number } {
  const spy = jest.spyOn(kinks, 'derivative64');
  try {
    const result = f();
    return { result, runs: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

describe('grad(F, Q) of a large Q, F a formula other than E', () => {
  it('is large here', () => expect(inputs * hidden).toBeGreaterThan(LARGE_TENSOR));

  it.each([
    ['the loss written out (one output)', `grad(mean(n, ${PER_EXAMPLE}), W1)[i,j]`],
    ['each class’s share (one output per class, k free in the claim)', `grad(${PER_CLASS}, W1)[i,j]`],
  ])('%s: agrees with the element-by-element Jacobian, in far fewer runs than W1 has elements', (_, rhs) => {
    const { result: rooted, runs } = runsOf(() => rhsOf('tanh', rhs));
    // per output: net2's columns (stacked: one run), the tanh's slope run, W1's linear map; where
    // an output reads few rows (a class's), the rows it does not read are differentiated again
    // one by one (0 with a rounding bound is not a trusted estimate)
    expect(runs).toBeLessThan(inputs * hidden / 4);
    const { result: own, runs: ownRuns } = runsOf(() => rhsOf('tanh', rhs, true));
    expect(ownRuns).toBeGreaterThanOrEqual(inputs * hidden);
    expect(rooted.shape).toEqual(own.shape);
    let largest = 0;
    for (let e = 0; e < own.data.length; e++) {
      const allowed = own.error![e] + rooted.error![e] + 1e-12 * Math.abs(own.data[e]);
      largest = Math.max(largest, Math.abs(own.data[e] - rooted.data[e]) / allowed);
    }
    expect(largest).toBeLessThanOrEqual(1);
  });

  it('the loss written out is ∂E/∂W1 (E is the mean of the data term)', () => {
    const rooted = rhsOf('tanh', `grad(mean(n, ${PER_EXAMPLE}), W1)[i,j]`);
    const lhs = referenceWorld(network('tanh'), drawTrial(network('tanh'), 0)).lossGradient!('W1')!;
    for (let e = 0; e < lhs.data.length; e++) expect(Math.abs(lhs.data[e] - rooted.data[e])).toBeLessThanOrEqual(lhs.error![e] + rooted.error![e] + 1e-12 * Math.abs(lhs.data[e]));
  });

  it('lays out an F of two free indices as the claim reads them: each output is that scalar F’s own', () => {
    // outputs (k, m), each a sum over the rows: the same numbers as F written with k and m fixed
    const both = rhsOf('tanh', 'grad(sum(n, o[n,k] * y[n,m]), W1)[i,j]');
    const size = inputs * hidden;
    expect(both.shape).toEqual([inputs, hidden, 10, 10]);
    for (const [k, m] of [[3, 5], [7, 2], [0, 9]]) {
      const one = rhsOf('tanh', `grad(sum(n, o[n,${k}] * y[n,${m}]), W1)[i,j]`);
      for (let e = 0; e < size; e++) expect(both.data[e * 100 + k * 10 + m]).toBe(one.data[e]);
    }
  });

  it('takes the chain where F is the linear reader of what Q feeds (its transposed map printed and checked again), and gives the closed form', () => {
    // F_k = Σ_n Σ_h a1[n,h] W2[h,k] y[n,k]: ∂F_k/∂W1[i,j] = Σ_n x[n,i] (1 − a1[n,j]²) W2[j,k] y[n,k]
    const { result, runs } = runsOf(() => rhsOf('tanh', 'grad(sum(n, sum(h, a1[n,h] * W2[h,k] * y[n,k])), W1)[i,j]'));
    expect(runs).toBeLessThan(inputs * hidden / 20);
    const closed = rhsOf('tanh', 'sum(n, x[n,i] * (1 - a1[n,j]^2) * W2[j,k] * y[n,k])');
    expect(result.shape).toEqual(closed.shape);
    for (let e = 0; e < closed.data.length; e++) expect(Math.abs(closed.data[e] - result.data[e])).toBeLessThanOrEqual((closed.error?.[e] ?? 0) + result.error![e] + 1e-12 * Math.abs(closed.data[e]));
  });

  it('takes the chain through a relu with no unit at 0', () => {
    const { result, runs } = runsOf(() => rhsOf('relu', `grad(mean(n, ${PER_EXAMPLE}), W1)[i,j]`));
    expect(runs).toBeLessThan(inputs * hidden / 20);
    const lhs = referenceWorld(network('relu'), drawTrial(network('relu'), 0)).lossGradient!('W1')!;
    for (let e = 0; e < lhs.data.length; e++) expect(Math.abs(lhs.data[e] - result.data[e])).toBeLessThanOrEqual(lhs.error![e] + result.error![e] + 1e-12 * Math.abs(lhs.data[e]));
  });

  it('goes element by element where the chain meets a kink (relu units at 0), and gives each element its one-sided derivatives', () => {
    // x row 0 = e0 − e1 and constant weights: net1[0, j] = 0 for every j
    const x = Array.from({ length: batch }, (_, n) => Array.from({ length: inputs }, (_, i) => (n === 0 ? (i === 0 ? 1 : i === 1 ? -1 : 0) : Math.fround(((i * 7919 + n * 104729) % 1000) / 1000 - 0.5))));
    const { result, runs } = runsOf(() => rhsOf('relu', `grad(mean(n, ${PER_EXAMPLE}), W1)[i,j]`, false, x));
    expect(runs).toBeGreaterThanOrEqual(inputs * hidden);
    expect(result.kink?.some((k) => k === 1)).toBe(true);
  });

  it('is 0, without a run, where F does not depend on Q', () => {
    const { result, runs } = runsOf(() => rhsOf('tanh', 'grad(sum(n, sum(k, y[n,k]^2)), W1)[i,j]'));
    expect(runs).toBe(0);
    expect(result.data.every((v) => v === 0)).toBe(true);
  });
});

describe('rootedAt', () => {
  const scenario = network('tanh');
  const computation = computationOf(scenario);
  const rootOf = (text: string) => {
    const claim = checked(scenario, { lhs: text, rhs: '0' });
    return { body: claim.lhs, checked: claim };
  };
  const env = () => referenceWorld(scenario, drawTrial(scenario, 0)).env;

  it('keeps the definitions the root reads, and theirs, in order, and E is the root', () => {
    const rooted = rootedAt(computation, env(), new KinkWatch(), rootOf('sum(n, sum(k, net2[n,k]))'))!;
    expect(rooted.computation.definitions.map((d) => d.name)).toEqual(['net1', 'a1', 'net2', 'E']);
    const sum = Array.from(rooted.env.get('net2')!.data).reduce((a, b) => a + b, 0);
    expect(rooted.env.get('E')!.data[0]).toBeCloseTo(sum, 12);
  });

  it('refuses a root that reads E', () => {
    expect(rootedAt(computation, env(), new KinkWatch(), rootOf('2 * E'))).toBeNull();
  });
});
