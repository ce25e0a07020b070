import { join } from 'node:path';
import { lossGradientsRead } from '../../src/claim/agreementPointer';
import { runScenarioWithAgreement } from '../../src/claim/runScenario';
import { checkClaim } from '../../src/formula/check';
import { describeAgreementDetails, describeAgreementElement } from '../../src/report/describeAgreement';
import { exitCodeOf, summaryOf } from '../../src/report/runReport';
import { runScenarioFile } from '../../src/run/runFile';
import { symbolTableOf } from '../../src/scenario/computationOf';
import { loadScenarioFile } from '../../src/load/loadScenario';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// The built-in gradient agreement check in every run: tfjs's own ∂E/∂S against the reference's,
// on the claims' two worlds; what it finds when tfjs departs (softmax cross-entropy with targets
// whose rows do not sum to 1), what it does at scale, and how a disputed claim points at it.

useSpecBackend();

const shipped = join(__dirname, '..', '..', 'scenarios', 'variants', 'soft-targets-not-summing-to-one.json');

function softTargets(change: Partial<ScenarioInput> = {}): Scenario {
  const loaded = loadScenarioFile(shipped);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join('\n'));
  return Scenario.parse({ ...loaded.scenario, ...change });
}

describe('softmax cross-entropy with targets whose rows do not sum to 1', () => {
  let run: ReturnType<typeof runScenarioWithAgreement>;
  beforeAll(() => {
    run = runScenarioWithAgreement(softTargets());
  });

  it('the check is disputed, first where the two part nearest E (the logits a2), as the scenario expects', () => {
    const a = run.agreement!;
    const first = a.first!;
    expect({ verdict: a.verdict, expect: a.expect, met: a.met, first: { symbol: first.symbol, trial: first.trial }, words: describeAgreementElement(first) }).toEqual({
      verdict: 'disputed',
      expect: 'disputed',
      met: true,
      first: { symbol: 'a2', trial: 0 },
      words: expect.stringMatching(/^∂E\/∂a2\[\d,\d\] in trial 0 \(seed \d+\): tfjs [-\d.e]+, reference [-\d.e]+, difference [\d.e-]+, allowed [\d.e-]+$/),
    });
    // everything before the logits departs; ∂E/∂o (the loss written on o, no custom gradient) agrees
    expect(a.departing.map((d) => d.symbol)).toEqual(['x', 'W1', 'b1', 'W2', 'b2', 'net1', 'a1', 'net2', 'a2']);
  });

  it.each([
    ['output-error-as-tfjs-differentiates', 'disputed', "tfjs's own ∂E/∂net2 departs from the reference: see the gradient agreement check"],
    ['output-error', 'disputed', "tfjs's own ∂E/∂net2 departs from the reference: see the gradient agreement check"],
    ['output-weights', 'disputed', "tfjs's own ∂E/∂W2 departs from the reference: see the gradient agreement check"],
    ['output-gradient', 'holds', undefined],
    ['loss-value', 'holds', undefined],
  ])('%s: %s, message %p', (id, verdict, message) => {
    const result = run.claims.find((c) => c.id === id)!;
    expect({ id, verdict: result.verdict, message: result.message }).toEqual({ id, verdict, message });
  });

  it('without "agreement": "disputed" the check is unmet: exit code 1, and the summary counts it', () => {
    const expectsAgreement = runScenarioWithAgreement(softTargets({ agreement: 'agrees', claims: [] })).agreement!;
    expect({ verdict: expectsAgreement.verdict, met: expectsAgreement.met }).toEqual({ verdict: 'disputed', met: false });
    const report = runScenarioFile(shipped);
    const unmet = { ...report, agreement: { ...report.agreement!, met: false } };
    const summary = summaryOf({ tool: 'derivcheck', version: '0', backend: 'cpu', scenarios: [unmet], elapsedMs: 0 });
    expect({ agreementChecks: summary.agreementChecks, agreementUnmet: summary.agreementUnmet, unmet: summary.unmet, code: exitCodeOf(summary) }).toEqual({ agreementChecks: 1, agreementUnmet: 1, unmet: 0, code: 1 });
  });

  it('a scenario that expects disputed and agrees is unmet too', () => {
    const loaded = loadScenarioFile(join(__dirname, '..', '..', 'scenarios', 'textbook', 'sigmoid-hidden.json'));
    if (!loaded.ok) throw new Error('sigmoid-hidden.json');
    const a = runScenarioWithAgreement(Scenario.parse({ ...loaded.scenario, agreement: 'disputed', claims: [] }), { trials: 1 }).agreement!;
    expect({ verdict: a.verdict, met: a.met, first: a.first }).toEqual({ verdict: 'agrees', met: false, first: null });
  });
});

describe('where the reference has no finite number', () => {
  it("a logit gap of 95: the labelled output is ~1e-41 and the reference's ∂E/∂o there NaN; tfjs is not blamed, the element is counted apart", () => {
    const scenario = Scenario.parse({
      title: 'a confident softmax',
      seed: 1,
      trials: 1,
      model: { inputs: 1, layers: [{ units: 2, activation: 'linear', init: { values: [[95, 0]] }, biasInit: { values: [0, 0] } }], loss: { type: 'softmax-cross-entropy', reduction: 'sum' } },
      data: { batch: 1, x: { values: [[1]] }, labels: [1] },
    });
    const { agreement } = runScenarioWithAgreement(scenario);
    const got = { verdict: agreement!.verdict, departing: agreement!.departing, referenceNotFinite: agreement!.referenceNotFinite };
    expect(got).toEqual({ verdict: 'agrees', departing: [], referenceNotFinite: expect.any(Number) });
    expect(got.referenceNotFinite).toBeGreaterThan(0);
    expect(describeAgreementDetails(agreement!).join('\n')).toContain("not compared: the reference's finite differences gave no finite number there");
  });
});

describe('sigmoid cross-entropy near saturation', () => {
  it('a logit of 14 with y = 0: ∂E/∂o = 1/(1 − o) is past float32, so o is left out of the check, which agrees on the rest', () => {
    const scenario = Scenario.parse({
      title: 'a saturated sigmoid',
      seed: 1,
      trials: 1,
      model: { inputs: 1, layers: [{ units: 2, activation: 'linear', init: { values: [[14, -1]] }, biasInit: { values: [0, 0] } }], loss: { type: 'sigmoid-cross-entropy', reduction: 'sum' } },
      data: { batch: 1, x: { values: [[1]] }, labels: [1] },
    });
    const { agreement } = runScenarioWithAgreement(scenario);
    expect({ verdict: agreement!.verdict, symbols: agreement!.symbols }).toEqual({ verdict: 'agrees', symbols: ['x', 'W1', 'b1', 'net1', 'a1'] });
  });
});

describe('at scale: chosen elements, never every element of a large symbol', () => {
  it('100-100-10, batch 32: large symbols at chosen elements (parameters at the gradient scale\'s sample), and they agree', () => {
    const scenario = Scenario.parse({
      title: '100-100-10',
      seed: 3,
      model: { inputs: 100, layers: [{ units: 100, activation: 'tanh', init: { normal: [0, 0.1] } }, { units: 10, init: { normal: [0, 0.1] } }], loss: { type: 'softmax-cross-entropy' } },
      data: { batch: 32, labels: { random: true } },
    });
    const a = runScenarioWithAgreement(scenario).agreement!;
    expect({ verdict: a.verdict, sampled: a.sampled, departing: a.departing }).toEqual({
      verdict: 'agrees',
      sampled: [
        { symbol: 'x', elements: 3200, compared: 4 },
        { symbol: 'W1', elements: 10000, compared: 18 },
        { symbol: 'net1', elements: 3200, compared: 4 },
        { symbol: 'a1', elements: 3200, compared: 4 },
        { symbol: 'net2', elements: 320, compared: 4 },
        { symbol: 'a2', elements: 320, compared: 4 },
        { symbol: 'o', elements: 320, compared: 4 },
      ],
      departing: [],
    });
    // the small parameters b1, W2 (1000), b2 in full
    expect(a.compared).toBe(6 * 4 + 18 + 100 + 1000 + 10);
  });
});

describe('lossGradientsRead: the ∂E/∂S a claim reads in the tfjs world', () => {
  const network = (optimizer: ScenarioInput['optimizer']) =>
    Scenario.parse({
      title: 'reads',
      model: { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2 }], loss: { type: 'softmax-cross-entropy' } },
      data: { batch: 2, labels: [0, 1] },
      ...(optimizer ? { optimizer } : {}),
    });
  it.each([
    [{ lhs: 'grad(E, W1)[i,j]', rhs: '0' }, undefined, ['W1']],
    [{ lhs: 'grad(2 * E, a0)[n,i]', rhs: 'sum(j, grad(E, net1)[n,j] * W1[i,j])' }, undefined, ['x', 'net1']],
    [{ lhs: 'grad(o[0,k], net2)[0,k]', rhs: '0' }, undefined, []],
    [{ lhs: 'o[n,k]', rhs: '1', where: 'grad(E, b2)[k] > 0' }, undefined, ['b2']],
    [{ lhs: 'next(W2)[j,k]', rhs: 'W2[j,k]' }, { type: 'sgd', learningRate: 0.1 }, ['W2']],
    [{ lhs: 'next(W2)[j,k]', rhs: 'W2[j,k]' }, { type: 'sgd', learningRate: 0.1, steps: 2 }, ['W2', 'W1', 'b1', 'b2']],
  ] as const)('%j (optimizer %j): %j', (claim, optimizer, read) => {
    const scenario = network(optimizer as ScenarioInput['optimizer']);
    const checked = checkClaim(claim as { lhs: string; rhs: string; where?: string }, symbolTableOf(scenario));
    if (!checked.ok) throw new Error(JSON.stringify(checked.error));
    expect([...lossGradientsRead(checked.claim, scenario)]).toEqual(read);
  });
});
