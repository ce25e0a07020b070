import { readFileSync } from 'node:fs';
import type { AgreementResult } from '../claim/agreement';
import { runScenarioWithAgreement, type ClaimResult, type RunOptions } from '../claim/runScenario';
import { formatPath, type Problem } from '../foundation/problem';
import { notesOf, type Note } from '../scenario/scenarioNotes';
import { loadMarkdownScenarios } from '../load/loadMarkdown';
import { isMarkdownFile } from '../load/markdownFiles';
import { offsetOf } from '../scenario/jsonPlaces';
import { lineColumn, loadScenarioFile, type LoadResult } from '../load/loadScenario';
import type { ScenarioSource } from '../load/scenarioSource';
import type { Axis } from '../sweep/grid';

/** A sweep's run: its axes, and each cell's claims in the grid's order. */
export interface SweepReport {
  axes: Axis[];
  cells: { values: unknown[]; claims: ClaimResult[]; agreement?: AgreementResult; elapsedMs: number }[];
  /** each claim's expectation rules as written, by claim id (absent for one verdict) */
  rules: Record<string, { when?: string; expect: string }[]>;
}

/** One scenario file's outcome: its claims' results, or why the file is invalid. */
export interface ScenarioReport {
  file: string;
  title: string;
  /** present when the file is invalid (nothing was run) */
  problems?: Problem[];
  /** every claim's result; for a sweep, every cell's claims, cell after cell */
  claims: ClaimResult[];
  /** present for a file with a sweep */
  sweep?: SweepReport;
  /** the built-in gradient agreement check (a sweep has one per cell, in `sweep.cells`); absent when it did not run */
  agreement?: AgreementResult;
  /** what a valid scenario should know before its verdicts are read (src/scenario/scenarioNotes.ts); absent when none */
  notes?: Note[];
  elapsedMs: number;
}

/** Every gradient agreement check of a scenario: its own, or each cell's with the cell's values. */
export function agreementsOf(scenario: ScenarioReport): { values?: unknown[]; agreement: AgreementResult }[] {
  if (scenario.sweep) return scenario.sweep.cells.flatMap((c) => (c.agreement ? [{ values: c.values, agreement: c.agreement }] : []));
  return scenario.agreement ? [{ agreement: scenario.agreement }] : [];
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

export interface FileRunOptions extends RunOptions {
  /** called as each cell of a sweep starts (progress) */
  onCell?: (cell: number, cells: number) => void;
}

/** Runs a loaded scenario (each cell of a sweep); an invalid one is reported, never thrown. */
export function runLoaded(loaded: LoadResult, options: FileRunOptions = {}, t0 = performance.now()): ScenarioReport {
  const { file } = loaded;
  if (!loaded.ok) return { file, title: '', problems: loaded.problems, claims: [], elapsedMs: performance.now() - t0 };
  const notes = notesOfLoaded(loaded);
  if (loaded.sweep) {
    const cells = loaded.sweep.cells.map(({ values, scenario }, k) => {
      const t1 = performance.now();
      options.onCell?.(k + 1, loaded.sweep!.cells.length);
      const run = runScenarioWithAgreement(scenario, options);
      return { values, claims: run.claims, ...(run.agreement ? { agreement: run.agreement } : {}), elapsedMs: performance.now() - t1 };
    });
    const sweep = { axes: loaded.sweep.axes, cells, rules: loaded.sweep.rules };
    return { file, title: loaded.scenario.title, ...notes, claims: cells.flatMap((c) => c.claims), sweep, elapsedMs: performance.now() - t0 };
  }
  const run = runScenarioWithAgreement(loaded.scenario, options);
  return { file, title: loaded.scenario.title, ...notes, claims: run.claims, ...(run.agreement ? { agreement: run.agreement } : {}), elapsedMs: performance.now() - t0 };
}

/** The notes of a loaded scenario: of each cell of a sweep, each note once. */
function notesOfLoaded(loaded: Extract<LoadResult, { ok: true }>): { notes?: Note[] } {
  const all = (loaded.sweep ? loaded.sweep.cells.map((c) => c.scenario) : [loaded.scenario]).flatMap(notesOf);
  const seen = new Set<string>();
  const notes = all.filter((n) => {
    const key = `${formatPath(n.path)}: ${n.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return notes.length > 0 ? { notes } : {};
}

/** Loads, checks and runs one scenario file (each cell of a sweep); an invalid file is reported, never thrown. */
export function runScenarioFile(file: string, options: FileRunOptions = {}): ScenarioReport {
  const t0 = performance.now();
  return runLoaded(loadScenarioChecked(file), options, t0);
}

/** Runs every scenario a file holds (JSON or Markdown). */
export function runScenariosOfFile(file: string, options: FileRunOptions = {}): ScenarioReport[] {
  return scenarioSourcesOf(file).map((source) => runLoaded(source.loaded, options));
}
