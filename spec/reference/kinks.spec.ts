// Kinks and singularities near the point (src/reference/kinks.ts): a ReLU or |·| kink at the
// point is flagged (one-sided derivatives differ), one within the finite-difference step is
// resolved by smaller steps, a singularity closer than the step (log o, o ≪ 1) no longer gives
// NaN, and a smooth function is unchanged. Then claims: a kink never makes a false refutation
// or a false pass.

import { runScenario, type ClaimResult } from '../../src/claim/runScenario';
import { checkGradientAgreement } from '../../src/claim/gradientAgreement';
import { derivative64, initialStep } from '../../src/reference/kinks';
import { ridders } from '../../src/reference/finiteDifferences';
import { describeClaim } from '../../src/report/describeClaim';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';
import { reluAtKink } from '../support/reluAtKink';

useSpecBackend();

const scalar = (g: (t: number) => number) => (t: number) => Float64Array.of(g(t));
const relu = (z: number): number => (z > 0 ? z : 0);

describe('derivative64: one element', () => {
  it.each([
    { name: 'relu exactly at its kink', q: 0, g: (t: number) => relu(t), kink: true, forward: 1, backward: 0 },
    { name: '|x| at 0', q: 0, g: (t: number) => Math.abs(t), kink: true, forward: 1, backward: -1 },
    { name: '2·relu(net) + sin, net = 0 (kink in a smooth function)', q: 0.3, g: (t: number) => 2 * relu(t) + Math.sin(0.3 + t), kink: true, forward: 2 + Math.cos(0.3), backward: Math.cos(0.3) },
  ])('$name: flagged, with both one-sided derivatives', ({ q, g, forward, backward }) => {
    const d = derivative64(scalar(g), q);
    const got = { kink: d.kink?.[0], forward: d.forward?.[0], backward: d.backward?.[0] };
    expect(got).toEqual({ kink: 1, forward: expect.closeTo(forward, 7), backward: expect.closeTo(backward, 7) });
  });

  it.each([
    { name: 'relu(−0.002 + t): kink within the step, left of it', q: -0.002, g: (t: number) => relu(-0.002 + t), exact: 0 },
    { name: 'relu(0.002 + t): kink within the step, right of it', q: 0.002, g: (t: number) => relu(0.002 + t), exact: 1 },
    { name: '3·relu(−3e-5 + t) + t²: kink 3e-5 away', q: 0, g: (t: number) => 3 * relu(-3e-5 + t) + t * t, exact: 0 },
    { name: 'log(o) with o = 3.35e-4 < the step (tiny o)', q: 3.35e-4, g: (t: number) => Math.log(3.35e-4 + t), exact: 1 / 3.35e-4 },
    { name: 'log(o) with o = 1e-7', q: 1e-7, g: (t: number) => Math.log(1e-7 + t), exact: 1e7 },
    { name: 'sqrt(o) with o = 1e-5', q: 1e-5, g: (t: number) => Math.sqrt(1e-5 + t), exact: 0.5 / Math.sqrt(1e-5) },
  ])('$name: the derivative, no flag, error covered by the estimate', ({ q, g, exact }) => {
    const d = derivative64(scalar(g), q);
    const actual = Math.abs(d.value[0] - exact);
    const got = { kink: d.kink, value: d.value[0], error: d.error[0], actual };
    expect({ ...got, ok: actual <= Math.max(10 * d.error[0], 1e-12 * Math.abs(exact)) && actual <= 1e-8 * Math.max(1, Math.abs(exact)) }).toEqual({ ...got, ok: true });
  });

  it.each([
    { name: 'sin at 0.7', q: 0.7, g: (t: number) => Math.sin(0.7 + t) },
    { name: 'exp(3t) at 0', q: 0, g: (t: number) => Math.exp(3 * t) },
    { name: 'sigmoid at −6', q: -6, g: (t: number) => 1 / (1 + Math.exp(6 - t)) },
    { name: 'cos at 0 (exact zero)', q: 0, g: (t: number) => Math.cos(t) },
    { name: '1e4·tanh(0.1(30 + t))', q: 30, g: (t: number) => 1e4 * Math.tanh(0.1 * (30 + t)) },
  ])('$name: smooth, no flag, the same value and error as Ridders alone, one call of f more', ({ q, g }) => {
    const d = derivative64(scalar(g), q);
    const plain = ridders(scalar(g), initialStep(q));
    expect({ kink: d.kink, value: d.value[0], error: d.error[0], evaluations: d.evaluations }).toEqual({
      kink: null,
      value: plain.value[0],
      error: plain.error[0],
      evaluations: plain.evaluations + 1,
    });
  });

  it('a vector: only the kinked component is flagged', () => {
    const d = derivative64((t) => Float64Array.of(Math.exp(t), relu(t), Math.abs(t - 0.001)), 0);
    expect({ kink: Array.from(d.kink ?? []), value: d.value[0], third: d.value[2] }).toEqual({ kink: [0, 1, 0], value: expect.closeTo(1, 10), third: expect.closeTo(-1, 10) });
  });
});

/** 1-1-2 network, relu hidden, softmax-CE mean, x = 1, label 0: net1 = w1 + b1. */
function reluNet(w1: number, b1: number | null, claims: ScenarioInput['claims']): Scenario {
  const hidden = { units: 1, activation: 'relu', init: { values: [[w1]] }, ...(b1 === null ? { bias: false } : { biasInit: { values: [b1] } }) };
  return Scenario.parse({
    title: `relu kink, net1 = ${w1 + (b1 ?? 0)}`,
    seed: 1,
    trials: 1,
    model: { inputs: 1, layers: [hidden, { units: 2, activation: 'linear', bias: false, init: { values: [[1, -1]] } }], loss: { type: 'softmax-cross-entropy', reduction: 'mean' } },
    data: { batch: 1, x: { values: [[1]] }, labels: [0] },
    claims,
  });
}

const right = 'x[0,i] * step(net1[0,j]) * sum(k, W2[j,k] * grad(E, net2)[0,k])';

function verdicts(results: ClaimResult[]): Record<string, { verdict: string; kinks: number }> {
  return Object.fromEntries(results.map((r) => [r.id, { verdict: r.verdict, kinks: r.worlds.reference.kinks?.count ?? 0 }]));
}

describe('derivative64 with a magnitude (f computed from numbers larger than itself)', () => {
  // a confident row's loss: log(1 + c·e^(kt)), c ≪ 1, is rounded to ε in absolute terms (the sum
  // 1 + c·e^(kt) is), far coarser than ε·f. Taken at its own size, that rounding looked like a kink
  // or an uncertain estimate, and smaller steps, which see only rounding, returned 0 ± 1e-16 for
  // a derivative of 1e-10. Told the size of the numbers f comes from, the estimate is honest.
  it.each([
    { c: 5.6e-9, k: 0.02 },
    { c: 1e-10, k: 1 },
    { c: 1e-12, k: 20 },
    { c: 5.6e-9, k: 20 },
  ])('log(1 + $c·e^($k t)): the derivative within its estimate', ({ c, k }) => {
    const exact = (c * k) / (1 + c);
    const d = derivative64(scalar((t) => Math.log(1 + c * Math.exp(k * t))), 0.3, { magnitude: 1 });
    const actual = Math.abs(d.value[0] - exact);
    const got = { kink: d.kink, value: d.value[0], error: d.error[0], actual };
    expect({ ...got, covered: actual <= d.error[0], tight: d.error[0] <= 1e-11 }).toEqual({ ...got, covered: true, tight: true });
  });

  it('a magnitude below |f| changes nothing', () => {
    const f = scalar((t) => Math.sin(0.7 + t));
    expect(derivative64(f, 0.7, { magnitude: 0.5 })).toEqual(derivative64(f, 0.7));
  });
});

describe('claims at and near a kink: never a false refutation, never a false pass', () => {
  it('net1 = −0.002 (kink within the step): ∂E/∂W1 = 0 holds, no kink reported', () => {
    const results = runScenario(reluNet(-0.002, null, [{ id: 'zero', says: '0', lhs: 'grad(E, W1)[i,j]', rhs: '0', expect: 'holds' }]));
    expect({ got: verdicts(results), text: describeClaim(results[0]) }).toMatchObject({ got: { zero: { verdict: 'holds', kinks: 0 } } });
  });

  it('tiny o (o = 3.35e-4): ∂E/∂o = −y/o holds, the reference is finite', () => {
    const scenario = Scenario.parse({
      title: 'tiny o',
      seed: 1,
      trials: 1,
      model: { inputs: 1, layers: [{ units: 2, activation: 'linear', bias: false, init: { values: [[0, 8]] } }], loss: { type: 'softmax-cross-entropy', reduction: 'mean' } },
      data: { batch: 1, x: { values: [[1]] }, labels: [0] },
      claims: [{ id: 'dE-do', says: '-y/o', lhs: 'grad(E, o)[0,k]', rhs: '-y[0,k] / o[0,k]', expect: 'holds' }],
    });
    const [result] = runScenario(scenario);
    expect({ verdict: result.verdict, lhs: result.worlds.reference.worst?.lhs, text: describeClaim(result) }).toMatchObject({ verdict: 'holds', lhs: expect.closeTo(-1 / (Math.exp(-8) / (1 + Math.exp(-8))), 6) });
    const agreement = checkGradientAgreement(scenario);
    expect({ verdict: agreement.verdict, departing: agreement.departing, first: agreement.first }).toEqual({ verdict: 'agrees', departing: [], first: null });
  });

  // relu kink exactly at net1 = 0 (w1 = 1, b1 = −1), plus a second unit away from it
  const twoUnits = (claims: ScenarioInput['claims']): Scenario => reluAtKink({ claims, trials: 1 });

  it.each([
    { id: 'right', rhs: right, verdict: 'holds', why: 'a right formula holds, the kink element reported' },
    { id: 'sign-flipped', rhs: `-${right}`, verdict: 'refuted', why: 'a formula wrong away from the kink is refuted' },
    { id: 'wrong-only-at-kink', rhs: `${right} + 5 * (1 - step(net1[0,j]) - step(-net1[0,j]))`, verdict: 'holds', why: 'a formula that differs only at the kink is not judged there' },
  ])('$why', ({ id, rhs, verdict }) => {
    const [result] = runScenario(twoUnits([{ id, says: id, lhs: 'grad(E, W1)[i,j]', rhs, expect: verdict as 'holds' | 'refuted' }]));
    const text = describeClaim(result);
    expect({ id, verdict: result.verdict, kinks: [result.worlds.reference.kinks?.count, result.worlds.tfjs.kinks?.count], text }).toEqual({ id, verdict, kinks: [1, 1], text: expect.stringContaining('1 element at a kink [i=0, j=0]') });
    expect(text).toMatch(/lhs from one-sided derivatives 0 \(backward\) and -?\d/);
  });

  it.each([
    { why: 'every selected element at a kink: at-kink in both worlds, nothing judged', rhs: '0', expect: 'at-kink' as const },
    { why: 'a wrong formula at the kink only is at-kink too (it cannot be judged there)', rhs: '7', expect: 'at-kink' as const },
  ])('$why', ({ rhs, expect: verdict }) => {
    const [result] = runScenario(reluNet(1, -1, [{ id: 'zero', says: '0', lhs: 'grad(E, W1)[i,j]', rhs, expect: verdict }]));
    const got = { verdict: result.verdict, met: result.met, outcomes: [result.worlds.reference.outcome, result.worlds.tfjs.outcome], kinks: result.worlds.reference.kinks?.count, text: describeClaim(result) };
    expect(got).toEqual({ verdict, met: true, outcomes: ['at-kink', 'at-kink'], kinks: 1, text: expect.stringContaining('every selected element sits at a kink in every trial') });
  });

  it('the built-in gradient check skips and counts kink elements instead of a false mismatch', () => {
    const agreement = checkGradientAgreement(reluNet(1, -1, []));
    expect({ verdict: agreement.verdict, kinks: agreement.kinks?.count, departing: agreement.departing }).toEqual({ verdict: 'agrees', kinks: 4, departing: [] });
  });
});
