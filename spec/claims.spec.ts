import { relative } from 'node:path';
import type { ClaimResult } from '../src/claim/runScenario';
import { describeClaim } from '../src/report/describeClaim';
import { loadScenarioChecked } from '../src/run/runFile';
import { runScenario } from '../src/claim/runScenario';
import { formatProblemLong } from '../src/foundation/problem';
import { cellsOf } from '../src/sweep/cellsOf';
import { useSpecBackend } from './support/backend';
import { root, shippedScenarioFiles } from './support/shippedScenarios';

// One jest test per claim of every shipped scenario, named `<title> › <id>: <says>`, and in a
// sweep one per claim and cell, `<title> › <id> [axis=value, …]: <says>`. A claim passes when its
// verdict meets the expectation its scenario records (in a sweep, the cell's rule).
const files = shippedScenarioFiles();

useSpecBackend();

for (const file of files) {
  const loaded = loadScenarioChecked(file);
  if (!loaded.ok) {
    it(`${relative(root, file)} is a valid scenario`, () => {
      throw new Error(loaded.problems.map(formatProblemLong).join('\n'));
    });
    continue;
  }
  const { scenario } = loaded;
  if (scenario.claims.length === 0) continue;
  const cells = cellsOf(loaded);
  describe(scenario.title, () => {
    let results: Map<string, ClaimResult>[];
    beforeAll(() => {
      results = cells.map((cell) => new Map(runScenario(cell.scenario).map((r) => [r.id, r])));
    });
    // claim by claim, each in every cell
    const tests = scenario.claims.flatMap((c) => cells.map((cell, k) => [`${c.id}${cell.label}: ${c.says}`, k, c.id] as const));
    it.each(tests)('%s', (_name, k, id) => {
      const result = results[k].get(id)!;
      if (!result.met) throw new Error(`${relative(root, file)}${cells[k].label}\n${describeClaim(result)}`);
      expect(result.verdict).toBe(result.expect);
    });
  });
}
