import { relative } from 'node:path';
import { checkGradientAgreement, describeGradientElement } from '../src/claim/gradientAgreement';
import { loadScenarioFile } from '../src/scenario/loadScenario';
import { formatProblem } from '../src/foundation/problem';
import { useSpecBackend } from './support/backend';
import { root, shippedScenarioFiles } from './support/shippedScenarios';

// One test per shipped scenario: the file loads, and tfjs autodiff agrees with the float64
// reference on every gradient of E in every trial.
const files = shippedScenarioFiles();

useSpecBackend();

describe('shipped scenarios: tfjs gradients agree with the float64 reference', () => {
  it('finds the shipped scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s', (_name, file) => {
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const result = checkGradientAgreement(loaded.scenario);
    if (!result.agrees) {
      throw new Error(`tfjs and the reference disagree on ${result.mismatches.length} element(s):\n${result.mismatches.map(describeGradientElement).join('\n')}`);
    }
    expect(result.compared).toBeGreaterThan(0);
  });
});
