// ∂E/∂P through the one definition that reads P, linear or elementwise in it
// (src/reference/chainRule64.ts): ∂E/∂W_l and ∂E/∂b_l of a network from ∂E/∂net_l, ∂E/∂net_l
// through the activation from ∂E/∂a_l, a computation's γ and β through the normalised output.
// Checked against the element-by-element derivative it replaces and against closed-form
// backpropagation.

import type { Env64 } from '../../src/reference/definitions64';
import { KinkWatch } from '../../src/reference/definitions64';
import * as chainRule64 from '../../src/reference/chainRule64';
import { chainCost, throughLinearAt, throughReader } from '../../src/reference/chainRule64';
import type { CheckedComputation } from '../../src/scenario/compile';
import type { Value64 } from '../../src/reference/algebra64';
import { referenceWorld } from '../../src/reference/world64';
import { algebra64 } from '../../src/reference/algebra64';
import { computationOf } from '../../src/scenario/computationOf';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { reluAtKink } from '../support/reluAtKink';

type Act = 'linear' | 'tanh' | 'sigmoid' | 'relu';
type Loss = 'softmax-cross-entropy' | 'sigmoid-cross-entropy' | 'mse';

function network(hidden: Act, last: Act, loss: Loss, reduction: 'mean' | 'sum', sigma = 0.5, seed = 1): Scenario {
  const init = { normal: [0, sigma] as [number, number] };
  const input: ScenarioInput = {
    title: `${hidden}/${last}/${loss}/${reduction}`,
    seed,
    model: {
      inputs: 4,
      layers: [
        { units: 6, activation: hidden, init },
        { units: 5, activation: hidden, init },
        { units: 3, activation: last, init },
      ],
      loss: { type: loss, reduction },
    },
    data: { batch: 7, labels: { random: true } },
  };
  return Scenario.parse(input);
}

const networks: Scenario[] = [
  network('tanh', 'linear', 'softmax-cross-entropy', 'mean'),
  network('sigmoid', 'linear', 'sigmoid-cross-entropy', 'sum'),
  network('relu', 'sigmoid', 'mse', 'mean'),
  network('linear', 'tanh', 'mse', 'sum'),
  // large weights: saturated units and confident rows (a row's loss ~1e-9, rounded to ε)
  network('tanh', 'linear', 'softmax-cross-entropy', 'sum', 8, 2),
  network('relu', 'linear', 'softmax-cross-entropy', 'mean', 8, 3),
];

/** The chain rule through a linear reader, which never asks for an elementwise slope. */
function throughLinear(computation: CheckedComputation, env: Env64, p: string, known: Map<string, Value64>, world: ReturnType<typeof referenceWorld>): Value64 | null {
  const noSlope = (): never => {
    throw new Error('a linear reader asked for a slope');
  };
  return throughReader(computation, env, new KinkWatch(), p, known, (d) => world.lossGradient!(d)!, noSlope);
}

/** Closed-form ∂E/∂W_l and ∂E/∂b_l by backpropagation in float64 (independent of the code under test). */
function backpropagate(scenario: Scenario, env: Env64): Map<string, Float64Array> {
  const model = scenario.model!;
  const L = model.layers.length;
  const n = env.get('x')!.shape[0];
  const divide = model.loss.reduction === 'mean' ? n : 1;
  const o = env.get('o')!.data;
  const y = env.get('y')!.data;
  const k = model.layers[L - 1].units;
  let dA = new Float64Array(o.length);
  for (let i = 0; i < o.length; i++) {
    if (model.loss.type === 'softmax-cross-entropy') {
      let labels = 0;
      for (let c = 0; c < k; c++) labels += y[Math.floor(i / k) * k + c];
      dA[i] = (o[i] * labels - y[i]) / divide;
    } else if (model.loss.type === 'sigmoid-cross-entropy') dA[i] = (o[i] - y[i]) / divide;
    else dA[i] = (model.loss.half ? 1 : 2) * (o[i] - y[i]) / divide;
  }
  const slope: Record<Act, (z: number) => number> = {
    linear: () => 1,
    tanh: (z) => 1 / Math.cosh(z) ** 2,
    sigmoid: (z) => Math.exp(-Math.abs(z)) / (1 + Math.exp(-Math.abs(z))) ** 2,
    relu: (z) => (z > 0 ? 1 : 0),
  };
  const out = new Map<string, Float64Array>();
  for (let l = L; l >= 1; l--) {
    const net = env.get(`net${l}`)!.data;
    const width = model.layers[l - 1].units;
    const dNet = dA.map((d, i) => d * slope[model.layers[l - 1].activation](net[i]));
    const a = env.get(`a${l - 1}`)!;
    const rows = a.shape[1];
    const dW = new Float64Array(rows * width);
    const db = new Float64Array(width);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < width; j++) {
        db[j] += dNet[r * width + j];
        for (let i = 0; i < rows; i++) dW[i * width + j] += a.data[r * rows + i] * dNet[r * width + j];
      }
    }
    out.set(`W${l}`, dW);
    out.set(`b${l}`, db);
    const w = env.get(`W${l}`)!.data;
    dA = new Float64Array(n * rows);
    for (let r = 0; r < n; r++) for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) dA[r * rows + i] += dNet[r * width + j] * w[i * width + j];
  }
  return out;
}

describe('∂E/∂W_l and ∂E/∂b_l from ∂E/∂net_l', () => {
  it('is the route the world takes when the chain costs fewer runs than the symbol has elements, or once ∂E/∂net_l is known', () => {
    const scenario = networks[0];
    const computation = computationOf(scenario);
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    const known = new Map<string, Value64>();
    const chainRule = (p: string) => throughLinear(computation, world.env, p, known, world);
    // E sums rows that net3 (7·3) feeds row by row: one run per column (lossRows.ts), then one run
    // per tanh on the way down (a2, a1) and the linear maps for free: 3, 4, 5 runs for net3, net2,
    // net1; W1 (4·6) and b1 (6) in 5 through net1, W3 (5·3) in 3 through net3
    expect(['net3', 'a2', 'net2', 'a1', 'net1', 'W1', 'b1', 'W3', 'b3'].map((s) => chainCost(computation, s))).toEqual([3, 3, 4, 4, 5, 5, 5, 3, 3]);
    // b3 has as many elements (3) as the chain has runs: element by element
    expect(chainRule('b3')).toBeNull();
    known.set('net1', world.lossGradient!('net1')!);
    expect([chainCost(computation, 'b1', known), chainRule('W1') !== null, chainRule('b1') !== null]).toEqual([0, true, true]);
  });

  it.each(networks.map((s) => [s.title, s] as const))('%s: within the estimates of the element-by-element derivative, and of the closed form', (_, scenario) => {
    for (const trial of [0, 1]) {
      const values = drawTrial(scenario, trial);
      const world = referenceWorld(scenario, values);
      const exact = backpropagate(scenario, world.env);
      for (const p of computationOf(scenario).parameters) {
        const g = world.lossGradient!(p)!;
        const full = world.gradient(p, 1, (e) => e.get('E')!);
        const perElement = algebra64.reshape(full, full.shape.slice(1));
        expect({ p, shape: g.shape, kink: g.kink }).toEqual({ p, shape: perElement.shape, kink: undefined });
        g.data.forEach((v, i) => {
          const e = g.error![i];
          // the closed form, in float64 too: its own rounding allowed for at 1e-13 relative
          const truth = exact.get(p)![i];
          if (!(Math.abs(v - truth) <= e + 1e-13 * Math.abs(truth))) throw new Error(`${p}[${i}] trial ${trial}: ${v} ± ${e}, closed form ${truth}`);
          // the element-by-element derivative, when it is honest itself (see the kinks note below)
          if (Math.abs(perElement.data[i] - truth) <= perElement.error![i] && !(Math.abs(v - perElement.data[i]) <= e + perElement.error![i])) {
            throw new Error(`${p}[${i}] trial ${trial}: ${v} ± ${e}, element by element ${perElement.data[i]} ± ${perElement.error![i]}`);
          }
        });
      }
    }
  });

  it.each(networks.slice(0, 2).map((s) => [s.title, s] as const))('%s: through an activation (elementwise reader), ∂E/∂net_l and ∂E/∂a_l within the estimates of the element-by-element derivative', (_, scenario) => {
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    for (const s of ['net1', 'a1', 'net2', 'a2']) {
      const g = world.lossGradient!(s)!;
      const full = world.gradient(s, 1, (e) => e.get('E')!);
      g.data.forEach((v, i) => {
        const row = { s, i, chain: v, element: full.data[i] };
        expect({ ...row, agrees: Math.abs(v - full.data[i]) <= g.error![i] + full.error![i] }).toEqual({ ...row, agrees: true });
      });
    }
  });

  it('a kink in ∂E/∂net_l (relu exactly at 0): the kernel and bias of that layer element by element, kinks reported', () => {
    const scenario = reluAtKink();
    const values = drawTrial(scenario, 0);
    const world = referenceWorld(scenario, values);
    const chainRule = (p: string) => throughLinear(computationOf(scenario), world.env, p, new Map(), world);
    expect(chainRule('W1')).toBeNull();
    for (const p of ['W1', 'b1']) {
      const g = world.lossGradient!(p)!;
      const full = world.gradient(p, 1, (e) => e.get('E')!);
      expect({ p, data: Array.from(g.data), kink: g.kink && Array.from(g.kink) }).toEqual({ p, data: Array.from(full.data), kink: full.kink && Array.from(full.kink) });
      expect(Array.from(g.kink!)).toEqual([1, 0]);
    }
    // the last layer is smooth in net2: from ∂E/∂net2, no kink
    expect(chainRule('W2')).not.toBeNull();
    expect(world.lossGradient!('W2')!.kink).toBeUndefined();
  });

  it('256-256-10, batch 64 (the bench network): the gradient scale is the largest |∂E/∂W2| from ∂E/∂net2', () => {
    const scenario = Scenario.parse({
      title: '256-256-10',
      seed: 1,
      model: {
        inputs: 256,
        layers: [
          { units: 256, activation: 'linear', bias: false, init: { normal: [0, 0.05] } },
          { units: 10, activation: 'linear', bias: false, init: { normal: [0, 0.05] } },
        ],
        loss: { type: 'softmax-cross-entropy' },
      },
      data: { batch: 64, labels: { random: true } },
    });
    const values = drawTrial(scenario, 0);
    const world = referenceWorld(scenario, values);
    const g = world.lossGradient!('W2')!;
    let largest = 0;
    g.data.forEach((v, i) => {
      if (Math.abs(v) > Math.abs(g.data[largest])) largest = i;
    });
    // W1 (65536 elements) is sampled, so the scale is at least W2's exact maximum
    expect(world.gradientScale()).toBeGreaterThanOrEqual(Math.abs(g.data[largest]));
    for (const element of [largest, 0, 1234, 2559]) {
      const d = world.elementDerivative('W2', (e) => e.get('E')!.data[0], element);
      expect({ element, agrees: Math.abs(d.value - g.data[element]) <= d.error + g.error![element], error: g.error![element] < 1e-10 }).toEqual({ element, agrees: true, error: true });
    }
  });
});

describe('∂E/∂P at one element through a linear reader whose ∂E/∂D is known in full', () => {
  it.each(networks.map((s) => [s.title, s]))('%s: x and a1 at every element, as the finite difference through everything downstream gives', (_title, s) => {
    const computation = computationOf(s);
    const world = referenceWorld(s, drawTrial(s, 0));
    const watch = new KinkWatch();
    // nothing known yet: no answer, the caller differentiates the element itself
    expect(throughLinearAt(computation, world.env, watch, 'x', new Map())).toBeNull();
    for (const [symbol, reader] of [['x', 'net1'], ['a1', 'net2']] as const) {
      const known = new Map([[reader, world.lossGradient!(reader)!]]);
      if (known.get(reader)!.kink) continue;
      const n = world.env.get(symbol)!.data.length;
      const at = throughLinearAt(computation, world.env, watch, symbol, known)!;
      for (let e = 0; e < n; e++) {
        const chain = at(e);
        const own = world.elementDerivative(symbol, 'loss', e);
        if (own.kink) continue;
        expect(chain.error).toBeGreaterThanOrEqual(0);
        expect(Math.abs(chain.value - own.value)).toBeLessThanOrEqual(chain.error + own.error + 1e-15 * Math.abs(own.value));
      }
    }
  });

  it('is what lossDerivativeAt answers once ∂E/∂D is known: no finite-difference run', () => {
    const s = networks[0];
    const world = referenceWorld(s, drawTrial(s, 0));
    world.lossGradient!('net1');
    const d = world.lossDerivativeAt('x', 5);
    expect(d.evaluations).toBe(0);
    expect(d.value).toBeCloseTo(world.elementDerivative('x', 'loss', 5).value, 12);
  });

  it('through a map that reads P inside an index expression (a convolution): element by element, and right at every element', () => {
    const conv = Scenario.parse({
      title: 'a convolution',
      seed: 2,
      computation: { sizes: { N: 4, L: 8, J: 6, K: 3 }, tensors: { x: { shape: ['N', 'L'] }, w: { shape: ['K'] } }, define: ['h[n,j] = sum(k, x[n, j + k] * w[k])'], loss: 'sum(n, sum(j, tanh(h[n,j])))' },
    });
    const one = referenceWorld(conv, drawTrial(conv, 0));
    const many = referenceWorld(conv, drawTrial(conv, 0));
    for (const world of [one, many]) world.lossGradient!('h');
    const together = jest.spyOn(chainRule64, 'throughLinearAtElements');
    const read = many.lossDerivativesAt('w', Int32Array.of(0, 1, 2));
    // w[k] is read at j + k: at its elements the map would gather where one element's map reads a slice
    expect(together.mock.results.map((r) => r.value)).toEqual([null]);
    together.mockRestore();
    // w[0]: x[n, j + 0] at k = 0 reads 6 of x's 8 columns, not all of them
    const each = [0, 1, 2].map((e) => one.lossDerivativeAt('w', e));
    expect(read).toEqual(each);
    const full = one.gradient('w', 1, (e) => e.get('E')!);
    each.forEach((d, e) => expect(Math.abs(d.value - full.data[e])).toBeLessThanOrEqual(d.error + full.error![e]));
  });

  it('at many elements at once (lossDerivativesAt): one evaluation of the map for all of them, the numbers lossDerivativeAt gives each', () => {
    // the input, a weight matrix and a bias, every element
    for (const s of networks.slice(0, 3)) {
      for (const symbol of ['x', 'W2', 'b2']) {
        const one = referenceWorld(s, drawTrial(s, 0));
        const many = referenceWorld(s, drawTrial(s, 0));
        for (const world of [one, many]) ['net1', 'net2'].forEach((d) => world.lossGradient!(d));
        const n = one.env.get(symbol)!.data.length;
        const elements = Int32Array.from({ length: n }, (_, e) => n - 1 - e);
        const together = jest.spyOn(chainRule64, 'throughLinearAtElements');
        const read = many.lossDerivativesAt(symbol, elements);
        expect(together).toHaveBeenCalledTimes(1);
        expect(together.mock.results[0].value).not.toBeNull();
        together.mockRestore();
        expect(read).toEqual(Array.from(elements, (e) => one.lossDerivativeAt(symbol, e)));
        // kept: asked again, nothing is evaluated
        const again = jest.spyOn(chainRule64, 'throughLinearAtElements');
        expect(many.lossDerivativesAt(symbol, elements.slice(0, 3))).toEqual(read.slice(0, 3));
        expect(again).not.toHaveBeenCalled();
        again.mockRestore();
      }
    }
  });
});

describe('a computation: γ and β of a batch normalisation through its output', () => {
  const scenario = Scenario.parse({
    title: 'batch norm',
    seed: 4,
    computation: {
      sizes: { B: 6, D: 3 },
      tensors: { x: { shape: ['B', 'D'], init: { normal: [2, 3] } }, gamma: { shape: ['D'] }, beta: { shape: ['D'] }, dout: { shape: ['B', 'D'] } },
      define: ['mu[d] = mean(n, x[n,d])', 'v[d] = mean(n, (x[n,d] - mu[d])^2)', 'xhat[n,d] = (x[n,d] - mu[d]) / sqrt(v[d] + 1e-5)', 'out[n,d] = gamma[d] * xhat[n,d] + beta[d]'],
      loss: 'sum(n, sum(d, out[n,d] * dout[n,d]))',
    },
  });

  it('equals the element-by-element derivative within both estimates, and Σ_n dout·x̂ and Σ_n dout', () => {
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    const known = new Map([['out', world.lossGradient!('out')!]]);
    const env = world.env;
    const B = 6;
    const D = 3;
    for (const p of ['gamma', 'beta']) {
      const g = throughLinear(computationOf(scenario), env, p, known, world)!;
      const full = world.gradient(p, 1, (e) => e.get('E')!);
      for (let d = 0; d < D; d++) {
        let closed = 0;
        for (let n = 0; n < B; n++) closed += env.get('dout')!.data[n * D + d] * (p === 'gamma' ? env.get('xhat')!.data[n * D + d] : 1);
        const row = { p, d, chain: g.data[d], element: full.data[d], closed };
        expect({ ...row, agrees: Math.abs(g.data[d] - full.data[d]) <= g.error![d] + full.error![d], exact: Math.abs(g.data[d] - closed) <= g.error![d] + 1e-12 * Math.abs(closed) }).toEqual({ ...row, agrees: true, exact: true });
      }
    }
  });

  it('the loss reads out linearly and out reads γ and β linearly: ∂E/∂out = dout, then Σ_n dout·x̂ and Σ_n dout, by the chain rule alone', () => {
    const computation = computationOf(scenario);
    expect(['out', 'gamma', 'beta', 'xhat', 'x'].map((s) => chainCost(computation, s) === 0)).toEqual([true, true, true, true, false]);
    const world = referenceWorld(scenario, drawTrial(scenario, 1));
    const env = world.env;
    const dout = env.get('dout')!.data;
    const out = world.lossGradient!('out')!;
    // no finite difference: the values are dout's own and the error bound is rounding alone
    expect(Array.from(out.data)).toEqual(Array.from(dout));
    expect(Math.max(...out.error!)).toBeLessThan(1e-14 * Math.max(...Array.from(dout, Math.abs)));
    const gamma = world.lossGradient!('gamma')!;
    for (let d = 0; d < 3; d++) {
      let closed = 0;
      for (let n = 0; n < 6; n++) closed += dout[n * 3 + d] * env.get('xhat')!.data[n * 3 + d];
      expect(Math.abs(gamma.data[d] - closed)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(closed)));
    }
  });
});

describe('through an elementwise reader larger than one slope run (4096 outputs at a time)', () => {
  it('∂E/∂x of Σ c·tanh(x·w) over 70×64 elements: c·(1 − tanh²)·w at every element, across the chunks', () => {
    const scenario = Scenario.parse({
      title: 'tanh layer',
      seed: 2,
      computation: {
        sizes: { N: 70, D: 64 },
        tensors: { x: { shape: ['N', 'D'] }, w: { shape: ['D'] }, c: { shape: ['N', 'D'] } },
        define: ['h[n,d] = tanh(x[n,d] * w[d])'],
        loss: 'sum(n, sum(d, h[n,d] * c[n,d]))',
      },
    });
    const computation = computationOf(scenario);
    // the loss reads h linearly (no run), h reads x elementwise (one slope run)
    expect(chainCost(computation, 'x')).toBe(1);
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    const g = world.lossGradient!('x')!;
    const [w, c, h] = ['w', 'c', 'h'].map((s) => world.env.get(s)!.data);
    expect(g.data.length).toBe(4480);
    let worst = 0;
    g.data.forEach((v, i) => {
      const closed = c[i] * (1 - h[i] * h[i]) * w[i % 64];
      worst = Math.max(worst, Math.abs(v - closed) / (g.error![i] + 1e-13 * Math.abs(closed)));
    });
    expect(worst).toBeLessThanOrEqual(1);
  });
});
