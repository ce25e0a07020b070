import { sortedUnique } from '../run/shard';
import { packageVersion } from '../foundation/version';
import { jsonReportOf, type JsonReport } from '../report/jsonReport';
import { runLoaded, type ScenarioReport } from '../run/runFile';
import { claimsNotFound, idsOf, missingClaims, runFiles } from '../run/runFiles';
import { findScenarioFiles } from '../load/findScenarioFiles';
import { checkScenarioJson } from '../load/loadScenario';
import { backendFromEnvironment, useBackend } from '../tfjs/backend';
import { checkedOptions, OptionsSchema, runOptionsOf, type DerivcheckOptions } from './options';

// The API of DESIGN §7: what the command does, as functions that resolve to the JSON report.
// They start the TensorFlow.js backend themselves. An invalid file is in the report (with
// `error` and `problems`), as in the command's; what the command calls bad usage (bad options,
// no scenario file, an id no claim has, a backend that cannot start) rejects with an Error.

/** What reports call a scenario given as an object. */
export const OBJECT_NAME = 'scenario';

function reportOf(t0: number, backend: string, scenarios: ScenarioReport[], missing: string[]): JsonReport {
  if (missing.length > 0) throw new Error(`derivcheck: ${missing.join('; ')}`);
  return jsonReportOf({ tool: 'derivcheck', version: packageVersion(), backend, scenarios, elapsedMs: performance.now() - t0 });
}

/** Checks scenario files (JSON, or Markdown with derivcheck blocks) and folders, as `derivcheck paths…` does. */
export async function check(paths: string | readonly string[], options: DerivcheckOptions = {}): Promise<JsonReport> {
  const t0 = performance.now();
  const list: readonly unknown[] = typeof paths === 'string' ? [paths] : paths;
  if (!Array.isArray(list) || list.length === 0 || list.some((p) => typeof p !== 'string')) {
    throw new TypeError('derivcheck: check(paths) takes a path or a non-empty list of paths (files or folders)');
  }
  const opts = checkedOptions(OptionsSchema, options);
  const files = sortedUnique(findScenarioFiles(list as string[]));
  if (files.length === 0) throw new Error(`derivcheck: no scenario files (*.json, or *.md with a derivcheck block) in ${list.join(', ')}`);
  const backend = await useBackend(opts.backend ?? backendFromEnvironment());
  const scenarios = runFiles(files, runOptionsOf(opts));
  return reportOf(t0, backend, scenarios, opts.claims ? missingClaims(opts.claims, files, scenarios) : []);
}

/** Checks one scenario given as an object (what a scenario file holds), validated as a file is. */
export async function checkScenario(scenario: unknown, options: DerivcheckOptions = {}): Promise<JsonReport> {
  const t0 = performance.now();
  const opts = checkedOptions(OptionsSchema, options);
  const loaded = checkScenarioJson(scenario, OBJECT_NAME);
  const backend = await useBackend(opts.backend ?? backendFromEnvironment());
  const report = runLoaded(loaded, runOptionsOf(opts), t0);
  const known = () => (loaded.ok ? loaded.scenario.claims.map((c) => c.id) : []);
  // an invalid scenario is reported as it is, whatever ids were asked for
  const missing = opts.claims && loaded.ok ? claimsNotFound(opts.claims, idsOf([report]), known, 'the scenario') : [];
  return reportOf(t0, backend, [report], missing);
}
