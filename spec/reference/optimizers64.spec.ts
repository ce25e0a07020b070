// The reference world's update rules (src/reference/optimizers64.ts) against numbers computed
// apart from derivcheck (spec/support/optimizerCases.ts), their error bound against the actual
// effect of gradient errors, and what a kink or a NaN does to the steps after it.

import type { Value64 } from '../../src/reference/algebra64';
import { optimize64, type GradientSource64 } from '../../src/reference/optimizers64';
import { Optimizer } from '../../src/scenario/schema';
import { SeededRandom } from '../../src/foundation/random';
import { CURVATURE, OPTIMIZER_CASES, START, optimizerOf } from '../support/optimizerCases';

/**
 * ∂E/∂P of E = ½ Σ c_i·P_i² for one parameter 'P' starting at p0, each gradient declared
 * accurate to bound(g) per element and, with `sign`, off by exactly that much in that direction
 * (sign(call, i): call 0 is the start, then each gradient asked for in turn).
 */
function quadratic(c: readonly number[], p0: readonly number[], options: { bound?: (g: number) => number; sign?: (call: number, i: number) => number } = {}) {
  const bound = options.bound ?? (() => 0);
  const calls = { start: 0, at: 0 };
  let call = 0;
  const gradient = (p: ArrayLike<number>): Value64 => {
    const k = call++;
    const exact = Float64Array.from(c, (ci, i) => ci * p[i]);
    const data = exact.map((g, i) => g + (options.sign ? options.sign(k, i) * bound(g) : 0));
    return { shape: [c.length], data, error: exact.map(bound) };
  };
  const source: GradientSource64 = {
    atStart: () => (calls.start++, gradient(p0)),
    at: (parameters) => (calls.at++, () => gradient(parameters.get('P')!)),
  };
  const start = new Map([['P', { shape: [p0.length], data: Float64Array.from(p0) }]]);
  return { source, calls, start };
}

/** P after the optimizer's steps on `quadratic`. */
function stepped(optimizer: Optimizer, q: ReturnType<typeof quadratic>): Value64 {
  return optimize64(q.start, q.source, optimizer).get('P')!;
}

describe('optimize64 against numbers computed by hand', () => {
  const cases = OPTIMIZER_CASES.flatMap((c) => [1, 2, 3].map((steps) => ({ ...c, steps, label: `${c.name}, steps ${steps}` })));
  it.each(cases)('$label (step 1: $firstStep)', (c) => {
    const moved = stepped(optimizerOf(c, c.steps), quadratic(CURVATURE, START));
    const expected = c.after[c.steps - 1];
    // the same float64 arithmetic in another order: a few units of roundoff
    expect({ case: c.label, got: Array.from(moved.data) }).toEqual({ case: c.label, got: expected.map((v) => expect.closeTo(v, 14)) });
  });

  it('takes the starting gradients once, then per later step one gradient and one more for the curvature along the errors', () => {
    const adam = OPTIMIZER_CASES.find((k) => k.optimizer.type === 'adam')!;
    const counts = [1, 2, 3].map((steps) => {
      const q = quadratic(CURVATURE, START, { bound: (g) => 1e-12 * Math.abs(g) });
      stepped(optimizerOf(adam, steps), q);
      return { steps, ...q.calls };
    });
    expect(counts).toEqual([
      { steps: 1, start: 1, at: 0 },
      { steps: 2, start: 1, at: 2 },
      { steps: 3, start: 1, at: 4 },
    ]);
  });
});

describe('the error bound', () => {
  // A third element whose gradient (1e-8) is below Adam's and RMSProp's epsilon, where they
  // amplify a gradient error most.
  const c = [2, 0.5, 2e-8];
  const p0 = [1, -2, 0.5];
  const bound = (g: number) => 1e-9 * Math.abs(g) + 1e-11;
  // tfjs's centered RMSProp with its default epsilon is NaN at the third element (see below)
  const optimizers: Record<string, unknown>[] = [
    ...OPTIMIZER_CASES.filter((k) => k.optimizer.centered !== true).map((k) => k.optimizer),
    { type: 'rmsprop', learningRate: 0.01, momentum: 0.9, epsilon: 0, centered: true },
    { type: 'adam', learningRate: 0.01, beta1: 0.5, beta2: 0.9 },
  ];
  const cases = optimizers.flatMap((o) => [1, 2, 3].map((steps) => ({ optimizer: Optimizer.parse({ ...o, steps }), label: `${JSON.stringify(o)}, steps ${steps}` })));

  it.each(cases)('covers the effect of gradient errors within their bounds: $label', ({ optimizer, label }) => {
    const exact = stepped(optimizer, quadratic(c, p0));
    const rng = new SeededRandom(7);
    const shares: number[] = [];
    const bounds: number[] = [];
    for (let draw = 0; draw < 20; draw++) {
      const signs = new Map<string, number>();
      const sign = (call: number, i: number) => {
        const key = `${call},${i}`;
        if (!signs.has(key)) signs.set(key, rng.uniform(0, 1) < 0.5 ? -1 : 1);
        return signs.get(key)!;
      };
      // every gradient off by its whole bound, each element in a random direction
      const noisy = stepped(optimizer, quadratic(c, p0, { bound, sign }));
      for (let i = 0; i < c.length; i++) {
        const off = Math.abs(noisy.data[i] - exact.data[i]);
        const allowed = noisy.error![i] * 1.01 + 4 * Number.EPSILON * Math.abs(exact.data[i]);
        if (!(off <= allowed)) throw new Error(`${label}: element ${i} moved ${off} by gradient errors, beyond its bound ${noisy.error![i]}`);
        shares[i] = Math.max(shares[i] ?? 0, off / noisy.error![i]);
        bounds[i] = noisy.error![i];
      }
    }
    // Not so loose that it means nothing. Where the gradient errors move P by more than its
    // roundoff, some draw comes near the bound: on the first step each element moves by its own
    // gradient only and the bound is that first-order effect itself; later, the bound adds the
    // paths through the optimizer's state without their partial cancelling. Elsewhere (Adam and
    // RMSProp hardly depend on a large gradient's size) the bound is of the order of roundoff.
    const kind = (i: number) => (bounds[i] <= 1e-13 ? 'roundoff' : optimizer.steps === 1 ? 'tight' : 'within 50×');
    const judged = shares.map((share, i) =>
      kind(i) === 'roundoff' || (kind(i) === 'tight' ? Math.abs(share - 1) < 0.01 : share > 0.02) ? kind(i) : `${kind(i)}? share ${share} of ${bounds[i]}`,
    );
    expect({ label, judged }).toEqual({ label, judged: shares.map((_, i) => kind(i)) });
  });
});

describe('kinks and NaN', () => {
  const kinked = (steps: number) => {
    const source: GradientSource64 = {
      atStart: () => ({
        shape: [2],
        data: Float64Array.of(2, -1),
        error: new Float64Array(2),
        kink: Uint8Array.of(1, 0),
        oneSided: { forward: Float64Array.of(3, -1), backward: Float64Array.of(1, -1) },
      }),
      at: (parameters) => () => ({ shape: [2], data: parameters.get('P')!.map((p, i) => CURVATURE[i] * p), error: new Float64Array(2) }),
    };
    return optimize64(quadratic(CURVATURE, START).start, source, Optimizer.parse({ type: 'sgd', learningRate: 0.1, steps })).get('P')!;
  };

  it('a kink on the last step marks the elements it moves, with the step taken from each one-sided gradient', () => {
    const moved = kinked(1);
    expect({ kink: Array.from(moved.kink!), forward: Array.from(moved.oneSided!.forward), backward: Array.from(moved.oneSided!.backward) }).toEqual({
      kink: [1, 0],
      forward: [expect.closeTo(0.7, 15), -1.9],
      backward: [expect.closeTo(0.9, 15), -1.9],
    });
  });

  it('a kink before the last step marks every element: every later gradient depends on where it went', () => {
    expect(Array.from(kinked(2).kink!)).toEqual([1, 1]);
  });

  it("tfjs's centered RMSProp takes √ of a negative number where 0.09·g² < ε: NaN there, then NaN everywhere", () => {
    const c = [2, 0.5, 2e-8];
    const optimizer = (steps: number) => Optimizer.parse({ type: 'rmsprop', learningRate: 0.01, centered: true, steps });
    const one = stepped(optimizer(1), quadratic(c, [1, -2, 0.5]));
    const two = stepped(optimizer(2), quadratic(c, [1, -2, 0.5]));
    expect({ one: Array.from(one.data).map(Number.isNaN), two: Array.from(two.data).map(Number.isNaN) }).toEqual({ one: [false, false, true], two: [true, true, true] });
  });
});
