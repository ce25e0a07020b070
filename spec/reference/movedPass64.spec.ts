import { KinkWatch } from '../../src/reference/definitions64';
import { movedPass, type Direction64 } from '../../src/reference/movedPass64';
import { referenceWorld } from '../../src/reference/world64';
import { SeededRandom } from '../../src/foundation/random';
import { computationOf } from '../../src/scenario/computationOf';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { fullPass } from '../support/fullPass';

// A moved pass (src/reference/movedPass64.ts) against the computation evaluated from scratch with
// the symbol moved: every definition downstream, computed on a line, on a slice or in full, gives
// the same numbers up to rounding; the restricted loss differs from E by a constant.

const network = Scenario.parse({
  title: 'small tanh network with biases',
  seed: 4,
  model: {
    inputs: 5,
    layers: [{ units: 7, activation: 'tanh' }, { units: 6, activation: 'sigmoid' }, { units: 3 }],
    loss: { type: 'softmax-cross-entropy' },
  },
  data: { batch: 4, labels: { random: true } },
});
const batchNorm = Scenario.parse({
  title: 'batch norm, then a softmax over each row',
  seed: 5,
  computation: {
    sizes: { B: 4, D: 3 },
    tensors: { x: { shape: ['B', 'D'], init: { normal: [1, 2] } }, gamma: { shape: ['D'] }, beta: { shape: ['D'] }, t: { shape: ['B'], classes: 3 } },
    define: [
      'mu[d] = mean(n, x[n,d])',
      'v[d] = mean(n, (x[n,d] - mu[d])^2)',
      'out[n,d] = gamma[d] * (x[n,d] - mu[d]) / sqrt(v[d] + 1e-5) + beta[d]',
      'lse[n] = maxover(d, out[n,d]) + log(sum(d, exp(out[n,d] - maxover(e, out[n,e]))))',
    ],
    loss: 'mean(n, lse[n] - out[n, t[n]])',
  },
});

const twoSums = Scenario.parse({
  title: 'an affine map per column, its loss summed over rows and columns',
  seed: 6,
  computation: {
    sizes: { B: 5, D: 4 },
    tensors: { x: { shape: ['B', 'D'] }, gamma: { shape: ['D'] }, beta: { shape: ['D'] }, dout: { shape: ['B', 'D'] } },
    define: ['out[n,d] = gamma[d] * tanh(x[n,d]) + beta[d]'],
    loss: 'sum(n, sum(d, out[n,d] * dout[n,d])) / 2',
  },
});

const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string): string[] =>
  Array.from(want).flatMap((w, i) => (Math.abs(got[i] - w) <= 1e-13 * Math.max(1, Math.abs(w)) ? [] : [`${what}[${i}] ${got[i]} vs ${w}`]));

describe.each([
  ['a network', network, ['x', 'W1', 'b1', 'W2', 'b2', 'W3', 'net1', 'a2', 'net3', 'o']],
  ['a computation', batchNorm, ['x', 'gamma', 'beta', 'mu', 'v', 'out', 'lse']],
  ['a loss summed over two indices', twoSums, ['x', 'gamma', 'out']],
])('moved passes of %s', (_what, scenario, symbols) => {
  const computation = computationOf(scenario);
  const values = drawTrial(scenario, 0);
  const { env: base } = referenceWorld(scenario, values);
  const rng = new SeededRandom(9);

  it.each(symbols)('match the computation from scratch at Q + t·v for %s (a dense direction, one element; new arrays and reused ones)', (symbol) => {
    const q = base.get(symbol)!;
    const v = Float64Array.from({ length: q.data.length }, () => rng.normal(0, 1));
    const wrong: string[] = [];
    for (const [element, reuse] of [[0, false], [q.data.length - 1, true]] as const) {
      for (const direction of [{ kind: 'dense', data: v }, { kind: 'element', index: element }] as Direction64[]) {
        // with reuse, each environment is read before the next is asked for, as reuse requires
        const pass = movedPass(computation, base, new KinkWatch(), symbol, direction, reuse);
        for (const t of [0, 0.03, -0.2]) {
          const value = Float64Array.from(q.data);
          if (direction.kind === 'dense') value.forEach((x, i) => (value[i] = x + t * direction.data[i]));
          else value[element] += t;
          const full = fullPass(computation, values, symbol, { shape: q.shape, data: value });
          const moved = pass(t);
          for (const d of computation.definitions) wrong.push(...close(moved.get(d.name)!.data, full.get(d.name)!.data, `${direction.kind} t=${t} ${d.name}`));
          if (pass.loss) {
            // the part of E that moves: E minus the same constant at every t
            const drift = pass.loss.at(t) - pass.loss.at(0) - (full.get('E')!.data[0] - base.get('E')!.data[0]);
            if (!(Math.abs(drift) <= 1e-13)) wrong.push(`${direction.kind} t=${t} restricted loss drifts by ${drift}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('what a moved pass computes again', () => {
  const computation = computationOf(network);
  const { env: base } = referenceWorld(network, drawTrial(network, 0));

  it('moving one element of net2 leaves every row but its own of net3 and o as they were, and the loss restricted to that row', () => {
    const pass = movedPass(computation, base, new KinkWatch(), 'net2', { kind: 'element', index: 6 + 2 }); // row 1
    const moved = pass(0.1);
    const rowsChanged = (name: string, width: number) =>
      [0, 1, 2, 3].filter((r) => Array.from({ length: width }, (_, k) => r * width + k).some((i) => moved.get(name)!.data[i] !== base.get(name)!.data[i]));
    expect({ net3: rowsChanged('net3', 3), o: rowsChanged('o', 3), restricted: pass.loss !== undefined }).toEqual({ net3: [1], o: [1], restricted: true });
  });

  it('moving a first-layer kernel element: net1 on a line, a1 on its column, net2 by that column\'s change (an increment), what follows in full', () => {
    const pass = movedPass(computation, base, new KinkWatch(), 'W1', { kind: 'element', index: 7 });
    expect(Object.fromEntries(pass.kinds)).toMatchObject({ net1: 'line', a1: 'slice', net2: 'increment', a2: 'full', net3: 'full', o: 'full' });
  });

  it('moving one column\'s scale restricts a loss summed over rows and columns to that column', () => {
    const computation2 = computationOf(twoSums);
    const { env } = referenceWorld(twoSums, drawTrial(twoSums, 0));
    expect(movedPass(computation2, env, new KinkWatch(), 'gamma', { kind: 'element', index: 2 }).loss).toBeDefined();
    expect(movedPass(computation2, env, new KinkWatch(), 'x', { kind: 'element', index: 6 }).loss).toBeDefined();
  });

  it('moving a kernel element moves every row: the loss is not restricted', () => {
    expect(movedPass(computation, base, new KinkWatch(), 'W2', { kind: 'element', index: 3 }).loss).toBeUndefined();
  });
});

describe('reference world derivatives', () => {
  const values = drawTrial(network, 0);
  const world = referenceWorld(network, values);
  const E = (env: Map<string, { data: ArrayLike<number> }>) => env.get('E')!.data[0];
  const full = world.gradient('W1', 1, (env) => env.get('E')!);

  it('elementDerivative agrees with the element-by-element gradient', () => {
    for (const m of [0, 7, 20, 34]) {
      const d = world.elementDerivative('W1', E, m);
      expect({ m, close: Math.abs(d.value - full.data[m]) < 1e-10, precise: d.error < 1e-9 }).toEqual({ m, close: true, precise: true });
    }
  });

  it('directionalDerivative equals ⟨v, gradient⟩', () => {
    const v = Float64Array.from({ length: full.data.length }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);
    const d = world.directionalDerivative('W1', E, v);
    const projected = v.reduce((s, vi, i) => s + vi * full.data[i], 0);
    expect(Math.abs(d.value - projected)).toBeLessThan(1e-10);
  });
});
