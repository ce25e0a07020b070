import { compareSides } from '../../src/claim/compare';
import { perturbRhs } from '../support/perturbRhs';
import { type Quantifier, type Relation } from '../../src/claim/relations';
import { type Sides } from '../../src/claim/sides';
import { runScenario } from '../../src/claim/runScenario';
import { ESTIMATE_SHARE, type Tolerance } from '../../src/claim/tolerances';
import { describeClaim } from '../../src/report/describeClaim';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// The reference's error estimate is counted into the allowance, but it may decide an element (pass
// it where the tolerance alone fails it, or the other way round) only while it is at most
// ESTIMATE_SHARE of the tolerance: a larger one leaves the element unjudged, and an outcome that
// rests on such elements is an error, never a silent pass. Exact zeros (dead ReLUs: every
// gradient 0, so the tolerance is 0 and the estimate is all the allowance) pass on their own.

/** Sides over one free index k, in the reference world (with an error estimate per element). */
function sides(lhs: number[], rhs: number[], error: number[], scale = 1): Sides {
  return { vars: ['k'], sizes: [lhs.length], lhs: Float64Array.from(lhs), rhs: Float64Array.from(rhs), error: Float64Array.from(error), mask: null, scale };
}

/** tolerance 1e-8 at scale 1, whatever the magnitudes */
const TOL: Tolerance = { rtol: 0, atol: 1e-8 };

describe('an estimate that is not well below the tolerance decides nothing', () => {
  // element 1 is off by 3e-8 against a tolerance of 1e-8: the estimate 1e-7 would pass it
  const offBy3e8 = sides([0.5, 0.25 + 3e-8, -0.1], [0.5, 0.25, -0.1], [1e-10, 1e-7, 1e-10]);

  it('off by 3e-8 with an estimate of 1e-7 against a tolerance of 1e-8: an error that says so, not a silent pass', () => {
    expect(compareSides({ ...offBy3e8, error: null }, '==', 'all', TOL).outcome).toBe('refuted');
    const result = compareSides(offBy3e8, '==', 'all', TOL);
    expect(result).toMatchObject({
      outcome: 'error',
      message: "the reference's finite differences are not precise enough at [1]: error estimate 1e-7 vs tolerance 1e-8 (lhs − rhs = 3e-8 passes only with the estimate)",
      worst: { flat: 1, index: [1] },
      imprecise: { count: 1, flat: 1, index: [1], estimate: 1e-7, tolerance: 1e-8 },
      selected: 2,
      failing: 0,
    });
  });

  it('with up to ESTIMATE_SHARE of the tolerance the estimate still decides the element', () => {
    const at = (estimate: number) => compareSides(sides([1.2e-8], [0], [estimate]), '==', 'all', TOL);
    expect({ share: ESTIMATE_SHARE, within: at(0.5e-8).outcome, beyond: at(0.50001e-8).outcome }).toEqual({ share: 0.5, within: 'holds', beyond: 'error' });
  });

  it('an element judged without the estimate refutes the claim anyway; the unjudged one is counted', () => {
    const s = sides([0.5, 0.25 + 3e-8, -0.1], [0.5, 0.25, -0.2], [1e-10, 1e-7, 1e-10]);
    expect(compareSides(s, '==', 'all', TOL)).toMatchObject({ outcome: 'refuted', worst: { flat: 2 }, selected: 2, failing: 1, imprecise: { count: 1, flat: 1 } });
  });

  it.each([
    ['any: no judged element passes, so the outcome rests on the estimate', [2, 0.25 + 3e-8], [1, 0.25], 'error'],
    ['any: a judged element passes', [0.5, 0.25 + 3e-8], [0.5, 0.25], 'holds'],
  ])('%s', (_name, lhs, rhs, outcome) => {
    expect(compareSides(sides(lhs, rhs, [1e-10, 1e-7]), '==', 'any', TOL).outcome).toBe(outcome);
  });

  it('the worst of several: the largest estimate next to its tolerance is named, and all are counted', () => {
    const s = sides([1 + 2e-8, 2 + 4e-8, 3 + 2e-8], [1, 2, 3], [3e-8, 9e-8, 5e-8]);
    expect(compareSides(s, '==', 'all', TOL)).toMatchObject({ outcome: 'error', message: expect.stringMatching(/at \[1\]: error estimate 9e-8 vs tolerance 1e-8 .*; 3 such elements\)$/) });
  });

  // each relation with lhs − rhs at 1.5× the tolerance past, or short of, its limit: the tolerance
  // alone and the estimate (1e-7) disagree, so the outcome would rest on the estimate
  const decided: [Relation, number, number, 'passes' | 'fails'][] = [
    ['==', 1 + 1.5e-8, 1, 'passes'],
    ['!=', 1 + 1.5e-8, 1, 'fails'],
    ['<', 1, 1 + 1.5e-8, 'fails'],
    ['<=', 1 + 1.5e-8, 1, 'passes'],
    ['>', 1 + 1.5e-8, 1, 'fails'],
    ['>=', 1, 1 + 1.5e-8, 'passes'],
  ];
  it.each(decided)('%s: lhs %d, rhs %d %s only with the estimate: an error under all and any', (rel, l, r, way) => {
    for (const quantifier of ['all', 'any'] as Quantifier[]) {
      const result = compareSides(sides([l], [r], [1e-7]), rel, quantifier, TOL);
      expect({ quantifier, outcome: result.outcome, message: result.message }).toEqual({ quantifier, outcome: 'error', message: expect.stringContaining(`${way} only with the estimate`) });
    }
  });

  it.each([
    ['a large estimate that decides nothing: equal sides pass', 1, 1, 'holds'],
    ['a large estimate that decides nothing: beyond tolerance and estimate, refuted', 1 + 2e-7, 1, 'refuted'],
  ])('%s', (_name, l, r, outcome) => {
    expect(compareSides(sides([l], [r], [1e-7]), '==', 'all', TOL)).toMatchObject({ outcome, selected: 1 });
  });

  it('the vacuity self-test moves the rhs past tolerance and estimate: refuted, not an error', () => {
    const s = sides([1, 2], [1, 2], [1e-7, 1e-7]);
    expect(compareSides(s, '==', 'all', TOL).outcome).toBe('holds');
    expect(compareSides(perturbRhs(s, '==', TOL), '==', 'all', TOL).outcome).toBe('refuted');
  });

  it('the tfjs world (no estimate) is not affected', () => {
    const s = { ...sides([1 + 1.5e-8], [1], [0]), error: null };
    expect(compareSides(s, '==', 'all', TOL).outcome).toBe('refuted');
  });
});

describe('every gradient exactly 0 (dead ReLUs): scale 0, and the estimate is all the allowance', () => {
  const reference: Tolerance = { rtol: 1e-7, atol: 1e-8 };
  // as the reference gives ∂E/∂W1 and ∂E/∂W2 of the network below: exact zeros, estimates ~1e-10
  const dead = sides([0, 0], [0, -0], [9.6e-11, 9.6e-13], 0);

  it('exact zeros pass on their own, and the self-test still flips', () => {
    expect(compareSides(dead, '==', 'all', reference)).toMatchObject({ outcome: 'holds', selected: 2, failing: 0 });
    expect(compareSides(perturbRhs(dead, '==', reference), '==', 'all', reference).outcome).toBe('refuted');
  });

  it('a rhs of 5e-11 within the estimate: an error, not a pass; 3e-10 beyond it: refuted', () => {
    const within = compareSides({ ...dead, rhs: Float64Array.of(5e-11, 0) }, '==', 'all', reference);
    expect(within).toMatchObject({ outcome: 'error', message: expect.stringContaining('at [0]: error estimate 9.6e-11 vs tolerance 5e-18 (lhs − rhs = -5e-11 passes only with the estimate)') });
    expect(compareSides({ ...dead, rhs: Float64Array.of(3e-10, 0) }, '==', 'all', reference).outcome).toBe('refuted');
  });
});

useSpecBackend();

describe('the dead-ReLU network, end to end', () => {
  // 1-1-2, relu hidden without bias, no output bias, x = 1: net1 = −0.002 is dead, so E does not
  // depend on any parameter (every gradient exactly 0); the estimate of ∂E/∂W1 is ~2e-11, the
  // rounding bound at a step shrunk to stay clear of the kink (src/reference/kinks.ts)
  const scenario = (claims: ScenarioInput['claims']) =>
    Scenario.parse({
      title: 'dead relu',
      seed: 1,
      trials: 1,
      model: {
        inputs: 1,
        layers: [
          { units: 1, activation: 'relu', bias: false, init: { values: [[-0.002]] } },
          { units: 2, activation: 'linear', bias: false, init: { values: [[1, -1]] } },
        ],
        loss: { type: 'softmax-cross-entropy', reduction: 'mean' },
      },
      data: { batch: 1, x: { values: [[1]] }, labels: [0] },
      claims,
    });

  it('exact zeros hold; a rhs within the estimate is an error; one beyond it is refuted', () => {
    const results = runScenario(
      scenario([
        { id: 'zero', says: '', lhs: 'grad(E, W1)[i,j]', rhs: '0', expect: 'holds' },
        { id: 'chain-rule', says: '', lhs: 'grad(E, W1)[i,j]', rhs: 'x[0,i] * step(net1[0,j]) * sum(k, W2[j,k] * grad(E, net2)[0,k])', expect: 'holds' },
        { id: 'W2-zero', says: '', lhs: 'grad(E, W2)[j,k]', rhs: 'a1[0,j] * (o[0,k] - y[0,k])', expect: 'holds' },
        { id: 'within-estimate', says: '', lhs: 'grad(E, W1)[i,j]', rhs: '5e-12', expect: 'refuted' },
        { id: 'beyond-estimate', says: '', lhs: 'grad(E, W1)[i,j]', rhs: '3e-10', expect: 'refuted' },
      ]),
      { keepSides: true },
    );
    const zero = results[0].sides![0].reference;
    // the case itself: scale 0, a nonzero estimate
    expect({ scale: zero.scale, lhs: zero.lhs[0], estimate: zero.error![0] > 0 }).toEqual({ scale: 0, lhs: 0, estimate: true });
    const got = Object.fromEntries(results.map((r) => [r.id, { verdict: r.verdict, message: r.message ?? '' }]));
    expect({ got, text: results.map(describeClaim).join('\n') }).toMatchObject({
      got: {
        zero: { verdict: 'holds' },
        'chain-rule': { verdict: 'holds' },
        'W2-zero': { verdict: 'holds' },
        'within-estimate': { verdict: 'error', message: expect.stringMatching(/^reference world: trial 0 \(seed \d+\): the reference's finite differences are not precise enough at \[0,0\]: error estimate /) },
        'beyond-estimate': { verdict: 'refuted' },
      },
    });
  });
});
