import { relative } from 'node:path';
import { checkGradientAgreement, describeGradientElement } from '../src/claim/gradientAgreement';
import { loadScenarioFile } from '../src/scenario/loadScenario';
import { formatProblem } from '../src/foundation/problem';
import { cellsOf } from '../src/sweep/cellsOf';
import { useSpecBackend } from './support/backend';
import { root, shippedScenarioFiles } from './support/shippedScenarios';

// One test per shipped scenario (per cell of a sweep): the file loads, and tfjs autodiff agrees
// with the float64 reference on every gradient of E in every trial.
const files = shippedScenarioFiles();
const cases = files.flatMap((file) => {
  const loaded = loadScenarioFile(file);
  return (loaded.ok ? cellsOf(loaded) : [{ label: '' }]).map((cell, k) => [`${relative(root, file)}${cell.label}`, file, k] as const);
});

useSpecBackend();

describe('shipped scenarios: tfjs gradients agree with the float64 reference', () => {
  it('finds the shipped scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });

  it.each(cases)('%s', (_name, file, k) => {
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const result = checkGradientAgreement(cellsOf(loaded)[k].scenario);
    if (!result.agrees) {
      throw new Error(`tfjs and the reference disagree on ${result.mismatches.length} element(s):\n${result.mismatches.map(describeGradientElement).join('\n')}`);
    }
    expect(result.compared).toBeGreaterThan(0);
  });
});
