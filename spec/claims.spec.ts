import { relative } from 'node:path';
import type { ClaimResult } from '../src/claim/runScenario';
import { describeClaim } from '../src/report/describeClaim';
import { loadScenarioChecked } from '../src/run/runFile';
import { runScenario } from '../src/claim/runScenario';
import { formatProblemLong } from '../src/foundation/problem';
import { useSpecBackend } from './support/backend';
import { root, shippedScenarioFiles } from './support/shippedScenarios';

// One jest test per claim of every shipped scenario, named `<title> › <id>: <says>`. A claim
// passes when its verdict meets the expectation its scenario records.
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
  describe(scenario.title, () => {
    let results: Map<string, ClaimResult>;
    beforeAll(() => {
      results = new Map(runScenario(scenario).map((r) => [r.id, r]));
    });
    it.each(scenario.claims.map((c) => [`${c.id}: ${c.says}`, c.id]))('%s', (_name, id) => {
      const result = results.get(id)!;
      if (!result.met) throw new Error(`${relative(root, file)}\n${describeClaim(result)}`);
      expect(result.verdict).toBe(result.expect);
    });
  });
}
