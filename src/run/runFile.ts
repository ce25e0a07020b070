import { readFileSync } from 'node:fs';
import { runScenario, type ClaimResult, type RunOptions } from '../claim/runScenario';
import type { Problem } from '../foundation/problem';
import { loadMarkdownScenarios } from '../markdown/loadMarkdown';
import { isMarkdownFile } from '../markdown/markdownFiles';
import { offsetOf } from '../scenario/jsonPlaces';
import { lineColumn, loadScenarioFile, type LoadResult } from '../scenario/loadScenario';
import type { ScenarioSource } from '../scenario/scenarioSource';

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

/** Every scenario a file holds, loaded with every check: a JSON file's one, or a Markdown file's blocks. */
export function scenarioSourcesOf(file: string): ScenarioSource[] {
  if (isMarkdownFile(file)) return loadMarkdownScenarios(file);
  const loaded = loadScenarioChecked(file);
  if (!loaded.ok) return [{ file, loaded, claimLines: [] }];
  const text = readFileSync(file, 'utf8');
  return [{ file, loaded, claimLines: loaded.scenario.claims.map((_, i) => lineColumn(text, offsetOf(text, ['claims', i])).line) }];
}

/** Runs a loaded scenario; an invalid one is reported, never thrown. */
export function runLoaded(loaded: LoadResult, options: RunOptions = {}, t0 = performance.now()): ScenarioReport {
  if (!loaded.ok) return { file: loaded.file, title: '', problems: loaded.problems, claims: [], elapsedMs: performance.now() - t0 };
  const claims = runScenario(loaded.scenario, options);
  return { file: loaded.file, title: loaded.scenario.title, claims, elapsedMs: performance.now() - t0 };
}

/** Loads, checks and runs one scenario file; an invalid file is reported, never thrown. */
export function runScenarioFile(file: string, options: RunOptions = {}): ScenarioReport {
  const t0 = performance.now();
  return runLoaded(loadScenarioChecked(file), options, t0);
}

/** Runs every scenario a file holds (JSON or Markdown). */
export function runScenariosOfFile(file: string, options: RunOptions = {}): ScenarioReport[] {
  return scenarioSourcesOf(file).map((source) => runLoaded(source.loaded, options));
}
