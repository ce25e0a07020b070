import { nearestName } from '../formula/nearestName';
import { runScenario, type ClaimResult, type RunOptions } from '../claim/runScenario';
import { elementTables, explainReport } from '../report/explainReport';
import { EXIT } from '../report/runReport';
import { loadScenarioChecked } from '../run/runFile';
import { formatProblemLong } from '../foundation/problem';
import type { BackendChoice } from '../tfjs/backendChoices';
import { fail, startBackend } from './fail';
import { coloursFor, progressOn } from './terminal';

// `derivcheck explain FILE --claim ID`: one claim's element table in both worlds.

export interface ExplainOptions {
  claim: string;
  backend: BackendChoice;
  trials?: number;
  seed?: number;
  /** rows shown per world */
  rows: number;
}

export async function runExplain(file: string, options: ExplainOptions): Promise<number> {
  const loaded = loadScenarioChecked(file);
  if (!loaded.ok) return fail(`${file} is not a valid scenario file:\n${loaded.problems.map(formatProblemLong).join('\n')}`);
  const { scenario } = loaded;
  const claim = scenario.claims.find((c) => c.id === options.claim);
  if (!claim) {
    const near = nearestName(options.claim, scenario.claims.map((c) => c.id));
    const ids = scenario.claims.map((c) => c.id).join(', ') || 'none';
    return fail(`${file} has no claim '${options.claim}'${near ? ` (did you mean '${near}'?)` : ''}; its claims: ${ids}`);
  }
  const started = await startBackend(options.backend);
  if ('code' in started) return started.code;

  const progress = progressOn(process.stderr);
  progress.file(1, 1, `${file} › ${claim.id}`);
  const run: RunOptions = {
    claimIds: [claim.id],
    ...(options.trials !== undefined ? { trials: options.trials } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    onTrial: (trial, trials) => progress.trial(trial, trials),
  };
  let result: ClaimResult;
  try {
    result = runScenario(scenario, { ...run, keepSides: true })[0];
  } finally {
    progress.done();
  }
  process.stdout.write(explainReport(file, claim, result, elementTables(result, claim), options.rows, coloursFor(process.stdout)));
  return result.met ? EXIT.allMet : EXIT.unmet;
}
