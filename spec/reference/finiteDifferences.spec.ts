// Accuracy of the reference world's numerical derivative, measured against closed forms.
// measured (ridders, default options): max rel error 8.2e-13 over the named smooth cases,
//   8.8e-12 over the 200 random points; exact zeros come back within their error estimate.
//   (Off-suite probe, 100k random sin/exp/sigmoid/softplus/tanh² up to step·curvature 0.5:
//   worst 1.2e-10, actual error never above 4.4 × the estimate.) 4–20 calls of f, typically 10–12.
// measured (oneSided, smooth cases): max rel error 8.7e-11; 17–21 calls of f.
// Every estimate covers its actual error: actual ≤ max(10 × estimate, 1e-13 × scale).
// Set FD_REPORT=1 to print the per-case table.

import { maxEvaluations, oneSided, ridders, type DerivativeEstimate } from '../../src/reference/finiteDifferences';

type Vector = (t: number) => Float64Array;
const scalar = (g: (t: number) => number): Vector => (t) => Float64Array.of(g(t));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const step = (x0: number): number => 1e-2 * Math.max(1, Math.abs(x0));

/** −log softmax(z)_label, and its closed-form gradient o − y. */
const logits = [0.3, -1.2, 2.0, 0.5];
const label = 2;
function crossEntropy(z: number[]): number {
  const m = Math.max(...z);
  const logSum = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return logSum - z[label];
}
function crossEntropyAlong(k: number): Vector {
  return scalar((t) => crossEntropy(logits.map((v, i) => (i === k ? v + t : v))));
}
function crossEntropyGradient(k: number): number {
  const m = Math.max(...logits);
  const sum = logits.reduce((s, v) => s + Math.exp(v - m), 0);
  return Math.exp(logits[k] - m) / sum - (k === label ? 1 : 0);
}

interface Case {
  name: string;
  f: Vector;
  step: number;
  exact: number[];
}

const smooth: Case[] = [
  { name: 'sin at 0.7', f: scalar((t) => Math.sin(0.7 + t)), step: step(0.7), exact: [Math.cos(0.7)] },
  { name: 'exp(3t) at 0', f: scalar((t) => Math.exp(3 * t)), step: step(0), exact: [3] },
  { name: 'log(1+t) at 0', f: scalar((t) => Math.log(1 + t)), step: step(0), exact: [1] },
  { name: 'log(1+t) at 1e-3', f: scalar((t) => Math.log(1 + 1e-3 + t)), step: step(1e-3), exact: [1 / (1 + 1e-3)] },
  { name: 't^3 at 2', f: scalar((t) => (2 + t) ** 3), step: step(2), exact: [12] },
  ...[0, 1, 2, 3].map((k) => ({
    name: `softmax cross-entropy w.r.t. logit ${k}${k === label ? ' (label)' : ''}`,
    f: crossEntropyAlong(k),
    step: step(logits[k]),
    exact: [crossEntropyGradient(k)],
  })),
  { name: 'sigmoid at 0.4', f: scalar((t) => sigmoid(0.4 + t)), step: step(0.4), exact: [sigmoid(0.4) * (1 - sigmoid(0.4))] },
  { name: 'sigmoid at -6', f: scalar((t) => sigmoid(-6 + t)), step: step(-6), exact: [sigmoid(-6) * (1 - sigmoid(-6))] },
  {
    name: 'vector: scales 1e-8, 1e3, and a constant',
    f: (t) => Float64Array.of(1e-8 * Math.sin(1 + t), 1e3 * Math.exp(0.5 * t) + 2e3, 7),
    step: step(0),
    exact: [1e-8 * Math.cos(1), 500, 0],
  },
  { name: 'tanh at 30 (loss scale 1e4)', f: scalar((t) => 1e4 * Math.tanh(0.1 * (30 + t))), step: step(30), exact: [1e3 / Math.cosh(3) ** 2] },
];

const exactZero: Case[] = [
  { name: 'cos at 0', f: scalar((t) => Math.cos(t)), step: step(0), exact: [0] },
  { name: 'constant 1e3', f: scalar(() => 1e3), step: step(0), exact: [0] },
  { name: 't² exp(t) at 0 (not symmetric)', f: scalar((t) => t * t * Math.exp(t)), step: step(0), exact: [0] },
  { name: '(x0+t-x0)² at x0=5 (rounded step)', f: scalar((t) => (5 + t - 5) ** 2 + 3), step: step(5), exact: [0] },
];

/** Worst relative error per case, for the table at the end and the figure at the top. */
const measured: { method: string; name: string; relative: number; evaluations: number }[] = [];

/** actual error vs estimate; relative error is against max(|exact|, tiny) so zeros don't divide by 0 */
function judge(name: string, estimate: DerivativeEstimate, exact: number[]): { relative: number; failures: string[] } {
  let relative = 0;
  const failures: string[] = [];
  exact.forEach((x, c) => {
    const value = estimate.value[c];
    const error = estimate.error[c];
    const actual = Math.abs(value - x);
    const scale = Math.abs(x);
    if (x !== 0) relative = Math.max(relative, actual / scale);
    const covered = x === 0 ? actual <= error : actual <= Math.max(10 * error, 1e-13 * scale);
    if (!(Number.isFinite(value) && covered)) {
      failures.push(`${name}[${c}]: value ${value}, exact ${x}, actual error ${actual.toExponential(2)}, estimate ${error.toExponential(2)}`);
    }
  });
  return { relative, failures };
}

describe('ridders', () => {
  it.each(smooth)('$name: relative error ≤ 1e-9 and covered by the estimate', ({ name, f, step, exact }) => {
    const estimate = ridders(f, step);
    const { relative, failures } = judge(name, estimate, exact);
    measured.push({ method: 'ridders', name, relative, evaluations: estimate.evaluations });
    expect(failures).toEqual([]);
    expect({ name, relative, ok: relative <= 1e-9 }).toEqual({ name, relative, ok: true });
    expect(estimate.evaluations).toBeLessThanOrEqual(maxEvaluations('ridders'));
  });

  it.each(exactZero)('$name: exact zero derivative, estimate covers the returned value', ({ name, f, step, exact }) => {
    const estimate = ridders(f, step);
    const { failures } = judge(name, estimate, exact);
    measured.push({ method: 'ridders', name, relative: NaN, evaluations: estimate.evaluations });
    expect(failures).toEqual([]);
    // Tiny next to a float32 tolerance: an exact zero stays recognisably zero. The floor is f's
    // own rounding, so it scales with |f|.
    const bound = 1e-11 * Math.max(1, Math.abs(f(0)[0]));
    expect({ name, value: estimate.value[0], error: estimate.error[0], bound, ok: estimate.error[0] <= bound }).toMatchObject({ ok: true });
  });

  it('stops after two rows (4 calls) when every quotient is exactly 0', () => {
    expect(ridders(scalar(Math.cos), 1e-2).evaluations).toBe(4);
  });

  it('shares evaluations: a vector costs what its slowest component costs, never more than 2·maxIterations', () => {
    const calls: number[] = [];
    const estimate = ridders((t) => (calls.push(t), Float64Array.of(Math.exp(t), 1)), 1e-2, { maxIterations: 6 });
    expect({ calls: calls.length, reported: estimate.evaluations }).toEqual({ calls: estimate.evaluations, reported: estimate.evaluations });
    expect(estimate.evaluations).toBeLessThanOrEqual(12);
    expect(calls).not.toContain(0);
    expect(Array.from(estimate.value)).toEqual([expect.closeTo(1, 8), 0]);
  });

  it('holds across 200 random points of sin, exp and sigmoid: accuracy and honest estimates', () => {
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    const failures: string[] = [];
    let worst = 0;
    for (let n = 0; n < 200; n++) {
      const x0 = (random() - 0.5) * 20;
      const a = 0.1 + random() * 3;
      const cases: [string, Vector, number][] = [
        [`sin(${a}x) at ${x0}`, (t) => Float64Array.of(Math.sin(a * (x0 + t))), a * Math.cos(a * x0)],
        [`exp(${a}x/4) at ${x0}`, (t) => Float64Array.of(Math.exp((a * (x0 + t)) / 4)), (a / 4) * Math.exp((a * x0) / 4)],
        [`sigmoid(${a}x) at ${x0}`, (t) => Float64Array.of(sigmoid(a * (x0 + t))), a * sigmoid(a * x0) * (1 - sigmoid(a * x0))],
      ];
      for (const [name, f, exact] of cases) {
        const judged = judge(name, ridders(f, step(x0)), [exact]);
        failures.push(...judged.failures);
        // sin can sit at a root of its derivative; relative error there says nothing
        if (Math.abs(exact) > 1e-3 * a) worst = Math.max(worst, judged.relative);
      }
    }
    measured.push({ method: 'ridders', name: '200 random points (sin, exp, sigmoid)', relative: worst, evaluations: NaN });
    expect(failures).toEqual([]);
    expect({ worst, ok: worst <= 1e-9 }).toEqual({ worst, ok: true });
  });

  it.each([
    { name: 'NaN everywhere', f: (): Float64Array => Float64Array.of(NaN, 1), expected: [NaN, 0] },
    { name: 'Infinity in one component', f: (t: number): Float64Array => Float64Array.of(2 * t, 1 / 0), expected: [2, NaN] },
    { name: 'sqrt(t) at 0: NaN for t<0', f: scalar((t) => Math.sqrt(t)), expected: [NaN] },
    { name: 'NaN for |t| < 5e-3, exp(t) beyond', f: scalar((t) => (Math.abs(t) < 5e-3 ? NaN : Math.exp(t))), expected: [NaN] },
  ])('$name: non-finite values give NaN, never a silent number', ({ f, expected }) => {
    const estimate = ridders(f, 1e-2);
    expect(Array.from(estimate.value)).toEqual(expected.map((x) => (Number.isNaN(x) ? NaN : expect.closeTo(x, 10))));
    expected.forEach((x, c) => {
      if (Number.isNaN(x)) expect({ c, error: estimate.error[c] }).toEqual({ c, error: NaN });
    });
  });

  // High curvature (step 2× the distance to the singularity), so 1e-8 rather than 1e-9.
  it('restarts past a first step that leaves the domain: log(0.005 + t) with step 1e-2', () => {
    const estimate = ridders(scalar((t) => Math.log(0.005 + t)), 1e-2);
    const { relative, failures } = judge('log(0.005+t)', estimate, [200]);
    expect(failures).toEqual([]);
    expect({ relative, ok: relative < 1e-8 }).toEqual({ relative, ok: true });
  });

  it.each([
    { step: 0, message: /'step' passed to 'ridders' must be a finite positive number, got 0/ },
    { step: NaN, message: /'step' passed to 'ridders'/ },
    { step: -1e-2, message: /'step' passed to 'ridders'/ },
  ])('rejects step $step', ({ step, message }) => {
    expect(() => ridders(scalar(Math.sin), step)).toThrow(message);
  });

  it('rejects f whose output length changes', () => {
    expect(() => ridders((t) => new Float64Array(t > 0 ? 2 : 3), 1e-2)).toThrow(/different lengths/);
  });

  it.each([-1, NaN, Infinity])('rejects magnitude %p', (magnitude) => {
    expect(() => ridders(scalar(Math.sin), 1e-2, { magnitude })).toThrow(/'magnitude' passed to 'ridders' must be a finite number ≥ 0/);
  });

  it('magnitude: f values below it are bounded as if that large (a larger error), the value is the same', () => {
    // 1e-9·sin: its own size would make the noise term ~1e-24; taken as size 1, ~1e-13
    const f = scalar((t) => 1e-9 * Math.sin(0.5 + t));
    const plain = ridders(f, 1e-2);
    const floored = ridders(f, 1e-2, { magnitude: 1 });
    expect({ value: floored.value[0], evaluations: floored.evaluations }).toEqual({ value: plain.value[0], evaluations: plain.evaluations });
    expect(floored.error[0]).toBeGreaterThan(plain.error[0] + 1e-14);
    // the default, 0, changes nothing
    expect(ridders(f, 1e-2, { magnitude: 0 })).toEqual(plain);
  });
});

describe('oneSided', () => {
  it('relu at its kink: forward 1 and backward 0, told apart by far more than their errors', () => {
    const { forward, backward, evaluations } = oneSided(scalar((t) => Math.max(0, t)), 1e-2);
    expect({ forward: forward.value[0], backward: backward.value[0] }).toEqual({ forward: 1, backward: 0 });
    expect(forward.error[0] + backward.error[0]).toBeLessThan(1e-12);
    expect(evaluations).toBeLessThanOrEqual(maxEvaluations('oneSided'));
  });

  it('|x| at 0 and a kink in one component of a vector', () => {
    const { forward, backward } = oneSided((t) => Float64Array.of(Math.abs(t), Math.exp(t)), 1e-2);
    expect(Array.from(forward.value)).toEqual([1, expect.closeTo(1, 8)]);
    expect(Array.from(backward.value)).toEqual([-1, expect.closeTo(1, 8)]);
  });

  it.each(smooth)('$name: both sides agree with the derivative within their estimates', ({ name, f, step, exact }) => {
    const { forward, backward, evaluations } = oneSided(f, step);
    const judgedForward = judge(`${name} forward`, forward, exact);
    const judgedBackward = judge(`${name} backward`, backward, exact);
    const relative = Math.max(judgedForward.relative, judgedBackward.relative);
    measured.push({ method: 'oneSided', name, relative, evaluations });
    expect([...judgedForward.failures, ...judgedBackward.failures]).toEqual([]);
    expect({ name, relative, ok: relative <= 1e-7 }).toEqual({ name, relative, ok: true });
  });

  it('calls f(0) once, or not at all when f0 is supplied', () => {
    const calls: number[] = [];
    const f = (t: number): Float64Array => (calls.push(t), Float64Array.of(Math.exp(t)));
    const withoutF0 = oneSided(f, 1e-2);
    expect({ zeros: calls.filter((t) => t === 0).length, calls: calls.length }).toEqual({ zeros: 1, calls: withoutF0.evaluations });
    calls.length = 0;
    const withF0 = oneSided(f, 1e-2, { f0: Float64Array.of(1) });
    expect({ zeros: calls.filter((t) => t === 0).length, calls: calls.length }).toEqual({ zeros: 0, calls: withF0.evaluations });
    expect(withF0.evaluations).toBe(withoutF0.evaluations - 1);
  });

  it('NaN in f gives NaN on the side that saw it', () => {
    const { forward, backward } = oneSided(scalar((t) => (t < 0 ? NaN : 3 * t)), 1e-2);
    expect({ forward: forward.value[0], backward: backward.value[0], backwardError: backward.error[0] }).toEqual({
      forward: 3,
      backward: NaN,
      backwardError: NaN,
    });
    expect(oneSided(scalar(() => NaN), 1e-2).forward.value[0]).toBeNaN();
  });
});

afterAll(() => {
  if (!process.env.FD_REPORT) return;
  const rows = measured.map(({ method, name, relative, evaluations }) => `${method.padEnd(9)} ${name.padEnd(48)} ${relative.toExponential(1).padStart(8)} ${evaluations}`);
  const worst = (method: string): string =>
    Math.max(...measured.filter((m) => m.method === method && Number.isFinite(m.relative)).map((m) => m.relative)).toExponential(1);
  console.log([...rows, `worst ridders ${worst('ridders')}, worst oneSided ${worst('oneSided')}`].join('\n'));
});
