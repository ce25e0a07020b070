import { runScenario, type ClaimResult, type RunOptions } from '../claim/runScenario';
import { loadScenarioFile, type LoadResult } from '../scenario/loadScenario';
import type { Problem } from '../foundation/problem';

/** One scenario file's outcome: its claims' results, or why the file is invalid. */
export interface ScenarioReport {
  file: string;
  title: string;
  /** present when the file is invalid (nothing was run) */
  problems?: Problem[];
  claims: ClaimResult[];
  elapsedMs: number;
}

/** Loads a scenario file with every check, formulas included. */
export function loadScenarioChecked(file: string): LoadResult {
  return loadScenarioFile(file);
}

/** Loads, checks and runs one scenario file; an invalid file is reported, never thrown. */
export function runScenarioFile(file: string, options: RunOptions = {}): ScenarioReport {
  const t0 = performance.now();
  const loaded = loadScenarioChecked(file);
  if (!loaded.ok) return { file, title: '', problems: loaded.problems, claims: [], elapsedMs: performance.now() - t0 };
  const claims = runScenario(loaded.scenario, options);
  return { file, title: loaded.scenario.title, claims, elapsedMs: performance.now() - t0 };
}
