import type { ClaimResult, WorldSummary } from '../../src/claim/runScenario';
import { describeWorld } from '../../src/report/describeClaim';
import { JsonReport, jsonReportOf } from '../../src/report/jsonReport';

// Elements left unjudged because the reference's error estimate would decide them
// (src/claim/compare.ts) are reported like kinks even when the world's outcome stands without
// them (a refutation elsewhere): in the text and in the JSON report.

const tolerance = { rtol: 1e-7, atol: 1e-8 };
const reference: WorldSummary = {
  outcome: 'refuted',
  tolerance,
  worst: { flat: 2, index: [2], lhs: 1, rhs: 2, difference: -1, allowed: 1e-7, excess: 1e7, passes: false, trial: 0, seed: 5 },
  trialsRefuted: 1,
  elapsedMs: 1,
  imprecise: { count: 2, trial: 0, seed: 5, first: { count: 2, flat: 1, index: [1], estimate: 1e-7, tolerance: 1e-8 } },
};
const { imprecise: _none, ...tfjsFields } = reference;
const tfjs: WorldSummary = { ...tfjsFields, tolerance: { rtol: 1e-4, atol: 1e-5 } };
const result: ClaimResult = { id: 'c', says: 's', expect: 'refuted', verdict: 'refuted', met: true, indices: ['i'], trials: 1, worlds: { reference, tfjs } };

describe('unjudged elements the estimate would decide', () => {
  it('are named in the world description', () => {
    expect(describeWorld(result, 'reference')).toMatch(/; 2 elements not judged: the reference's error estimate would decide them \(largest 1.0000e-7 vs tolerance 1.0000e-8 at \[i=1\], trial 0, seed 5\)$/);
    expect(describeWorld(result, 'tfjs')).not.toMatch(/not judged/);
  });

  it('are in the JSON report, which its schema accepts', () => {
    const report = jsonReportOf({ tool: 'derivcheck', version: '0', backend: 'cpu', elapsedMs: 1, scenarios: [{ file: 'f.json', title: 't', claims: [result], elapsedMs: 1 }] });
    expect(JsonReport.parse(report).scenarios[0].claims[0].worlds.reference.imprecise).toEqual({ count: 2, trial: 0, seed: 5, index: { i: 1 }, estimate: 1e-7, tolerance: 1e-8 });
    expect(report.scenarios[0].claims[0].worlds.tfjs.imprecise).toBeUndefined();
  });
});
