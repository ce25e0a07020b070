import { runScenario, type ClaimResult } from '../../src/claim/runScenario';
import { largeGradientLhs, sampledGradientCheck } from '../../src/claim/sampledGradientCheck';
import { symbolTableOf } from '../../src/scenario/computationOf';
import { DEFAULT_TOLERANCE } from '../../src/claim/tolerances';
import { checkClaim } from '../../src/formula/check';
import { FULL_GRADIENT_RUNS, referenceWorld } from '../../src/reference/world64';
import { drawTrial } from '../../src/scenario/trialValues';
import { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// The reference's ∂E/∂W1 at 4e5 parameters (784-512-K, batch 64), both ways it is taken: with 10
// classes the chain rule gets it in full in 10 column runs, and every element is judged; with 40
// classes that would take more runs than FULL_GRADIENT_RUNS, and the claim is checked by sampling
// (directions and chosen elements). Either way the corrected first-layer formula holds, and the
// same formula broken in one element, in one row or by a small scale factor is refuted.
// docs/at-scale.md states what is guaranteed.
useSpecBackend();

const correct = 'mean(n, x[n,i] * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))';
const claim = (id: string, rhs: string, expect: 'holds' | 'refuted' | 'disputed') => ({ id, says: id, lhs: 'grad(E, W1)[i,j]', rel: '==' as const, quantifier: 'all' as const, rhs, expect });
const scenarioWith = (classes: number) =>
  Scenario.parse({
    title: `784-512-${classes}, batch 64`,
    seed: 3,
    model: {
      inputs: 784,
      layers: [
        { units: 512, activation: 'linear', bias: false, init: { normal: [0, 0.05] } },
        { units: classes, activation: 'linear', bias: false, init: { normal: [0, 0.05] } },
      ],
      loss: { type: 'softmax-cross-entropy' },
    },
    data: { batch: 64, labels: { random: true } },
    // one-hot selectors: row 700 of W1, column 300
    constants: { row: Array.from({ length: 784 }, (_, i) => +(i === 700)), col: Array.from({ length: 512 }, (_, j) => +(j === 300)) },
    claims: [
      claim('correct', correct, 'holds'),
      claim('one-element', `${correct} + row[i] * col[j] * 1e-3`, 'refuted'),
      claim('one-row', `${correct} + row[i] * 1e-3`, 'refuted'),
      claim('scale-1e-3', `1.001 * ${correct}`, 'refuted'),
      // past the reference's tolerance, within tfjs's float32 one: the worlds disagree
      claim('scale-1e-6', `1.000001 * ${correct}`, 'disputed'),
    ],
  });
const inFull = scenarioWith(10);
const sampled = scenarioWith(40);

const describeResult = (r: ClaimResult) =>
  `${r.id}: ${r.verdict} (${r.message ?? ''}) reference ${JSON.stringify(r.worlds.reference.worst)} ${JSON.stringify(r.worlds.reference.coverage)} tfjs ${JSON.stringify(r.worlds.tfjs.worst)}`;

describe.each([
  ['in full, by the chain rule', inFull],
  ['sampled', sampled],
])('the reference gradient at 4e5 parameters, %s', (how, scenario) => {
  // one trial, both worlds built once for all five claims
  let results: Map<string, ClaimResult>;
  beforeAll(() => {
    results = new Map(runScenario(scenario).map((r) => [r.id, r]));
  });

  it('is taken the way the title says', () => {
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    expect(world.lossGradientInFull('W1')).toBe(how !== 'sampled');
    expect(scenario.model!.layers[1].units > FULL_GRADIENT_RUNS).toBe(how === 'sampled');
  });

  it.each(scenario.claims.map((c) => [c.id, c.expect]))('%s is %s', (id, expected) => {
    const result = results.get(id)!;
    if (result.verdict !== expected) throw new Error(describeResult(result));
    if (how === 'sampled') {
      expect(result.worlds.reference.coverage).toEqual(expect.objectContaining({ elements: 784 * 512, directions: 2 }));
      expect(result.worlds.reference.coverage!.checked).toBeGreaterThanOrEqual(17);
    } else {
      // every element judged: no coverage to report, and the scale from every element
      expect(result.worlds.reference.coverage).toBeUndefined();
      expect(result.worlds.reference.scaleSource).toBeUndefined();
    }
    if (id === 'one-element') expect(result.worlds.reference.worst!.index).toEqual([700, 300]);
    if (id === 'one-row') expect(result.worlds.reference.worst!.index[0]).toBe(700);
  });
});

describe('the sampled check at 4e5 parameters', () => {
  it('without tfjs hints, a direction refutes a single-element error its sampled elements miss', () => {
    const far = { ...sampled, claims: [claim('far', `${correct} + row[i] * col[j] * 1e-3`, 'refuted')] };
    const checked = checkClaim({ lhs: far.claims[0].lhs, rhs: far.claims[0].rhs }, symbolTableOf(far));
    if (!checked.ok) throw new Error('claim does not check');
    const world = referenceWorld(far, drawTrial(far, 0));
    const plan = largeGradientLhs(checked.claim, world, 'all')!;
    expect(plan).not.toBeNull();
    const run = sampledGradientCheck(checked.claim, plan, world, { rel: '==', tolerance: DEFAULT_TOLERANCE.reference, trialSeed: 3, claimId: 'far', hinted: [] });
    expect(run.sides.at).not.toContain(700 * 512 + 300); // not among the sampled elements
    expect(run.outcome.outcome).toBe('refuted');
    expect(run.outcome.worst).toEqual(expect.objectContaining({ check: 'direction', passes: false }));
  });
});
