import { relative } from 'node:path';
import { runScenarioWithAgreement, type ScenarioRun } from '../src/claim/runScenario';
import { describeClaim } from '../src/report/describeClaim';
import { describeAgreementDetails, describeAgreementLine, describeAgreementVerdict } from '../src/report/describeAgreement';
import { loadScenarioChecked } from '../src/run/runFile';
import { formatProblemLong } from '../src/foundation/problem';
import { cellsOf } from '../src/sweep/cellsOf';
import { useSpecBackend } from './support/backend';
import { root, shippedScenarioFiles } from './support/shippedScenarios';

// One jest test per claim of every shipped scenario, named `<title> › <id>: <says>`, and in a
// sweep one per claim and cell, `<title> › <id> [axis=value, …]: <says>`; and one per scenario
// (per cell) for the built-in gradient agreement check, `<title> › gradient agreement`. A claim
// passes when its verdict meets the expectation its scenario records (in a sweep, the cell's
// rule), the check when its verdict is the scenario's `agreement` (agrees by default).
const files = shippedScenarioFiles();

useSpecBackend();

it('finds the shipped scenarios', () => {
  expect(files.length).toBeGreaterThanOrEqual(7);
});

for (const file of files) {
  const loaded = loadScenarioChecked(file);
  if (!loaded.ok) {
    it(`${relative(root, file)} is a valid scenario`, () => {
      throw new Error(loaded.problems.map(formatProblemLong).join('\n'));
    });
    continue;
  }
  const { scenario } = loaded;
  const cells = cellsOf(loaded);
  describe(scenario.title, () => {
    let runs: ScenarioRun[];
    beforeAll(() => {
      runs = cells.map((cell) => runScenarioWithAgreement(cell.scenario));
    });
    // claim by claim, each in every cell
    const tests = scenario.claims.flatMap((c) => cells.map((cell, k) => [`${c.id}${cell.label}: ${c.says}`, k, c.id] as const));
    if (tests.length > 0) {
      it.each(tests)('%s', (_name, k, id) => {
        const result = runs[k].claims.find((r) => r.id === id)!;
        if (!result.met) throw new Error(`${relative(root, file)}${cells[k].label}\n${describeClaim(result)}`);
        expect(result.verdict).toBe(result.expect);
      });
    }
    it.each(cells.map((cell, k) => [`gradient agreement${cell.label}`, k] as const))('%s', (_name, k) => {
      const agreement = runs[k].agreement!;
      if (!agreement.met) {
        throw new Error(`${relative(root, file)}${cells[k].label}: ${describeAgreementVerdict(agreement)}: ${describeAgreementLine(agreement)}\n${describeAgreementDetails(agreement).join('\n')}`);
      }
      expect({ verdict: agreement.verdict, compared: agreement.compared > 0 }).toEqual({ verdict: agreement.expect, compared: true });
    });
  });
}
