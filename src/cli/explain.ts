import { runScenario, type ClaimResult, type RunOptions } from '../claim/runScenario';
import { elementTables, explainReport } from '../report/explainReport';
import { EXIT } from '../report/runReport';
import type { BackendChoice } from '../tfjs/backendChoices';
import { explainTarget } from './explainTarget';
import { fail, startBackend } from './fail';
import { coloursFor, progressOn } from './terminal';

// `derivcheck explain FILE --claim ID`: one claim's element table in both worlds. FILE may be a
// Markdown file, or one of its blocks as `notes.md:12`.

export interface ExplainOptions {
  claim: string;
  backend: BackendChoice;
  trials?: number;
  seed?: number;
  /** rows shown per world */
  rows: number;
}

export async function runExplain(file: string, options: ExplainOptions): Promise<number> {
  const target = explainTarget(file, options.claim);
  if (!target.ok) return fail(target.message);
  const { name, scenario } = target;
  const claim = scenario.claims.find((c) => c.id === options.claim)!;
  const started = await startBackend(options.backend);
  if ('code' in started) return started.code;

  const progress = progressOn(process.stderr);
  progress.file(1, 1, `${name} › ${claim.id}`);
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
  process.stdout.write(explainReport(name, claim, result, elementTables(result, claim), options.rows, coloursFor(process.stdout)));
  return result.met ? EXIT.allMet : EXIT.unmet;
}
