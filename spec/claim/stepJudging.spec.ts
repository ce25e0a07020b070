import { join } from 'node:path';
import { runScenario } from '../../src/claim/runScenario';
import { FLOOR_ULPS, onTheStep, stepOf, ulpOf } from '../../src/claim/stepSides';
import { parseFormula } from '../../src/formula/parser';
import { describeClaim } from '../../src/report/describeClaim';
import { loadScenarioFile } from '../../src/load/loadScenario';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// A claim whose lhs is next(P)[…] is judged on the step (src/claim/stepSides.ts): next(P) − P
// against rhs − P, the tolerance scaled by the step, plus FLOOR_ULPS spacings of P per step.

useSpecBackend();

describe('ulpOf: the spacing of numbers at |m|', () => {
  it.each([
    [1, 'float32', 2 ** -23],
    [1.5, 'float32', 2 ** -23],
    [2, 'float32', 2 ** -22],
    [2.5, 'float32', 2 ** -22],
    [-2.5, 'float32', 2 ** -22],
    [3.999, 'float32', 2 ** -22],
    [4, 'float32', 2 ** -21],
    [0.1, 'float32', 2 ** -27],
    [0, 'float32', 2 ** -149],
    [1e-44, 'float32', 2 ** -149],
    [1, 'float64', 2 ** -52],
    [2.5, 'float64', 2 ** -51],
    [0, 'float64', Number.MIN_VALUE],
  ] as const)('%p in %s: %p', (m, precision, ulp) => {
    expect({ m, precision, got: ulpOf(m, precision) }).toEqual({ m, precision, got: ulp });
  });

  it('is the distance to the next float32 number above |m|, for float32 numbers', () => {
    for (const m of [1e-30, 3e-8, 0.7, 1, 2.5, 1234.5, 3e30].map(Math.fround)) {
      const next = new Float32Array([m]);
      new Int32Array(next.buffer)[0]++;
      expect({ m, ulp: ulpOf(m, 'float32') }).toEqual({ m, ulp: next[0] - m });
    }
  });
});

describe('stepOf: the claims judged on the step', () => {
  it.each([
    ['next(W1)[i,j]', 'W1'],
    ['next(b2)[k]', 'b2'],
    ['next(W1)[i,j] - W1[i,j]', null],
    ['W1[i,j]', null],
    ['grad(E, W1)[i,j]', null],
  ])('%s: %p', (lhs, p) => {
    expect(stepOf(parseFormula(lhs))).toBe(p);
  });
});

describe('onTheStep', () => {
  it('subtracts P from both sides (and from one-sided values) and floors each element at 2 spacings of P per step', () => {
    const p = Float32Array.of(2.5, 0.1, 0);
    const lhs = { data: Float32Array.of(2.49999, 0.1001, 0.5), error: null, oneSided: { forward: Float32Array.of(2.4, 0, 0), backward: Float32Array.of(2.6, 0, 0) } };
    const rhs: typeof lhs = { data: Float32Array.of(2.5, 0.1002, -0.25), error: null, oneSided: { forward: Float32Array.of(2.5, 0.1002, -0.25), backward: Float32Array.of(2.5, 0.1002, -0.25) } };
    const got = onTheStep(lhs, rhs, p, 'float32', { steps: 3 });
    const step = (v: ArrayLike<number>) => Array.from(v, (x, i) => x - p[i]);
    expect({ lhs: Array.from(got.lhs.data), rhs: Array.from(got.rhs.data), forward: Array.from(got.lhs.oneSided!.forward), floor: Array.from(got.floor) }).toEqual({
      lhs: step(lhs.data),
      rhs: step(rhs.data),
      forward: step(lhs.oneSided.forward),
      floor: [FLOOR_ULPS * 3 * 2 ** -22, FLOOR_ULPS * 3 * ulpOf(0.1002, 'float32'), FLOOR_ULPS * 3 * 2 ** -24],
    });
  });
});

/** The shipped nearly converged network (W ≈ 2.5; one SGD step moves W by about 2e-5), with these claims. */
function converged(claims: ScenarioInput['claims']): Scenario {
  const loaded = loadScenarioFile(join(__dirname, '..', '..', 'scenarios', 'variants', 'nearly-converged-step.json'));
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return Scenario.parse({ ...loaded.scenario, claims });
}

const sgd = 'W1[i,j] - lr * grad(E, W1)[i,j]';

describe('next(P) judged on the step: a nearly converged network', () => {
  it.each([
    { id: 'sgd-step', rhs: sgd, verdict: 'holds' },
    { id: 'step-off-by-7e-6', rhs: `${sgd} + 7e-6`, verdict: 'refuted' },
    { id: 'step-off-by-7e-6-at-one-element', rhs: `${sgd} + 7e-6 * delta(i, 1) * delta(j, 0)`, verdict: 'refuted' },
    { id: 'step-twice-as-long', rhs: 'W1[i,j] - 2 * lr * grad(E, W1)[i,j]', verdict: 'refuted' },
    { id: 'no-step-at-all', rhs: 'W1[i,j]', verdict: 'refuted' },
  ])('$id: $verdict in both worlds', ({ id, rhs, verdict }) => {
    const [result] = runScenario(converged([{ id, says: id, lhs: 'next(W1)[i,j]', rhs, expect: verdict as 'holds' | 'refuted' }]));
    const worlds = { reference: result.worlds.reference.outcome, tfjs: result.worlds.tfjs.outcome };
    const got = { id, verdict: result.verdict, worlds, judgedOnStep: result.judgedOnStep };
    expect({ ...got, text: describeClaim(result) }).toEqual({ id, verdict, worlds: { reference: verdict, tfjs: verdict }, judgedOnStep: 'W1', text: expect.stringContaining('judged on the step: next(W1) − W1 against rhs − W1') });
  });

  it('the tfjs world allows a few spacings of W, not a share of W: far below the 7e-6 it refutes', () => {
    const [result] = runScenario(converged([{ id: 'sgd-step', says: 'sgd', lhs: 'next(W1)[i,j]', rhs: sgd, expect: 'holds' }]));
    const worst = result.worlds.tfjs.worst!;
    // the step (lhs) is about 2e-5; the allowance is its rtol share, atol on lr times the
    // gradient scale, and the floor of 2 spacings of W (2 · 2.4e-7)
    const got = { step: Math.abs(worst.lhs), allowed: worst.allowed };
    expect({ ...got, stepAbout1e5: got.step > 5e-6 && got.step < 5e-5, allowedBelow6e7: got.allowed < 6e-7 }).toEqual({ ...got, stepAbout1e5: true, allowedBelow6e7: true });
  });
});

describe('next(P) judged on the step: adaptive rules with large gradients', () => {
  // mse summed over targets of ±300: |∂E/∂W| in the hundreds, while an Adam or RMSProp step is
  // about lr whatever the gradient; a tolerance scaled by lr times the gradient scale would let
  // a step 0.1% too long pass in float32
  const large = (optimizer: ScenarioInput['optimizer'], rhs: string, expect: 'holds' | 'refuted'): Scenario =>
    Scenario.parse({
      title: 'large gradients',
      seed: 3,
      trials: 3,
      model: { inputs: 3, layers: [{ units: 4, activation: 'tanh', init: { normal: [0, 0.6] } }, { units: 2, activation: 'linear', init: { normal: [0, 0.6] } }], loss: { type: 'mse', reduction: 'sum' } },
      data: { batch: 8, x: { uniform: [-1, 1] }, targets: { uniform: [-300, 300] } },
      optimizer,
      claims: [{ id: 'step', says: 'step', lhs: 'next(W2)[i,j]', rhs, expect }],
    });
  const adamStep = 'lr * grad(E, W2)[i,j] / (abs(grad(E, W2)[i,j]) + 1e-7)';
  const rmspropStep = 'lr * grad(E, W2)[i,j] / sqrt(0.1 * grad(E, W2)[i,j]^2 + 1e-7)';
  it.each([
    ['adam', { type: 'adam', learningRate: 0.01 }, `W2[i,j] - ${adamStep}`, 'holds'],
    ['adam, 0.1% too long', { type: 'adam', learningRate: 0.01 }, `W2[i,j] - 1.001 * ${adamStep}`, 'refuted'],
    ['adam, off by 1e-3·lr', { type: 'adam', learningRate: 0.01 }, `W2[i,j] - ${adamStep} + 1e-3 * lr`, 'refuted'],
    ['rmsprop', { type: 'rmsprop', learningRate: 0.01 }, `W2[i,j] - ${rmspropStep}`, 'holds'],
    ['rmsprop, 1% too long', { type: 'rmsprop', learningRate: 0.01 }, `W2[i,j] - 1.01 * ${rmspropStep}`, 'refuted'],
  ] as const)('%s: the verdict in both worlds', (_name, optimizer, rhs, verdict) => {
    const [result] = runScenario(large(optimizer as ScenarioInput['optimizer'], rhs, verdict));
    expect({ verdict: result.verdict, reference: result.worlds.reference.outcome, tfjs: result.worlds.tfjs.outcome }).toEqual({ verdict, reference: verdict, tfjs: verdict });
  });
});
