import { checkFormulas } from '../claim/checkFormulas';
import { runScenario, type ClaimResult, type RunOptions } from '../claim/runScenario';
import { loadScenarioFile, type LoadResult } from '../scenario/loadScenario';
import type { Problem } from '../scenario/problem';
import type { Axis } from '../sweep/grid';

/** A sweep's run: its axes, and each cell's claims in the grid's order. */
export interface SweepReport {
  axes: Axis[];
  cells: { values: unknown[]; claims: ClaimResult[]; elapsedMs: number }[];
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
  elapsedMs: number;
}

/** Loads a scenario file with every check, formulas included. */
export function loadScenarioChecked(file: string): LoadResult {
  return loadScenarioFile(file, checkFormulas);
}

export interface FileRunOptions extends RunOptions {
  /** called as each cell of a sweep starts (progress) */
  onCell?: (cell: number, cells: number) => void;
}

/** Loads, checks and runs one scenario file (each cell of a sweep); an invalid file is reported, never thrown. */
export function runScenarioFile(file: string, options: FileRunOptions = {}): ScenarioReport {
  const t0 = performance.now();
  const loaded = loadScenarioChecked(file);
  if (!loaded.ok) return { file, title: '', problems: loaded.problems, claims: [], elapsedMs: performance.now() - t0 };
  if (loaded.sweep) {
    const cells = loaded.sweep.cells.map(({ values, scenario }, k) => {
      const t1 = performance.now();
      options.onCell?.(k + 1, loaded.sweep!.cells.length);
      return { values, claims: runScenario(scenario, options), elapsedMs: performance.now() - t1 };
    });
    const sweep = { axes: loaded.sweep.axes, cells, rules: loaded.sweep.rules };
    return { file, title: loaded.scenario.title, claims: cells.flatMap((c) => c.claims), sweep, elapsedMs: performance.now() - t0 };
  }
  const claims = runScenario(loaded.scenario, options);
  return { file, title: loaded.scenario.title, claims, elapsedMs: performance.now() - t0 };
}
