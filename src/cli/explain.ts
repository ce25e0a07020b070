import { runScenario, type ClaimResult, type RunOptions } from '../claim/runScenario';
import { elementTables, explainReport } from '../report/explainReport';
import { EXIT } from '../report/runReport';
import type { LoadResult } from '../load/loadScenario';
import { cellsOf, type LabelledCell } from '../sweep/cellsOf';
import { matches, parseCondition } from '../sweep/condition';
import { renderFormulaError } from '../formula/formulaError';
import type { BackendChoice } from '../tfjs/backendChoices';
import { explainTarget } from './explainTarget';
import { fail, startBackend } from './fail';
import { coloursFor, progressOn } from './terminal';

// `derivcheck explain FILE --claim ID`: one claim's element table in both worlds; for a sweep,
// one table per cell (every cell, or those `--cell CONDITION` matches). FILE may be a Markdown
// file, or one of its blocks as `notes.md:12`.

export interface ExplainOptions {
  claim: string;
  backend: BackendChoice;
  trials?: number;
  seed?: number;
  /** rows shown per world */
  rows: number;
  /** in a sweep, only the cells this `when` condition matches */
  cell?: string;
}

/** The cells to explain: every cell of a sweep, or those `--cell` matches; a plain scenario is its one cell. */
function cellsToExplain(loaded: Extract<LoadResult, { ok: true }>, condition: string | undefined): LabelledCell[] | string {
  if (condition === undefined) return cellsOf(loaded);
  if (!loaded.sweep) return `${loaded.file} has no sweep; --cell picks cells of a sweep`;
  const parsed = parseCondition(condition, loaded.sweep.axes);
  if (!parsed.ok) return `--cell: ${renderFormulaError(parsed.problem)}`;
  const picked = cellsOf(loaded).filter((c) => matches(parsed.condition, c.values));
  return picked.length > 0 ? picked : `--cell: no cell of ${loaded.file} matches ${condition}`;
}

export async function runExplain(file: string, options: ExplainOptions): Promise<number> {
  const target = explainTarget(file, options.claim);
  if (!target.ok) return fail(target.message);
  const { name, scenario } = target;
  const cells = cellsToExplain(target.loaded, options.cell);
  if (typeof cells === 'string') return fail(cells);
  const claim = scenario.claims.find((c) => c.id === options.claim)!;
  const started = await startBackend(options.backend);
  if ('code' in started) return started.code;

  const progress = progressOn(process.stderr);
  const run: RunOptions = {
    claimIds: [claim.id],
    ...(options.trials !== undefined ? { trials: options.trials } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    onTrial: (trial, trials) => progress.trial(trial, trials),
  };
  let met = true;
  cells.forEach((cell, k) => {
    // each cell's scenario has the claim, its expectation resolved for the cell
    const own = cell.scenario.claims.find((c) => c.id === claim.id)!;
    progress.file(k + 1, cells.length, `${name}${cell.label} › ${claim.id}`);
    let result: ClaimResult;
    try {
      result = runScenario(cell.scenario, { ...run, keepSides: true })[0];
    } finally {
      progress.done();
    }
    if (k > 0) process.stdout.write('\n');
    process.stdout.write(explainReport(`${name}${cell.label}`, own, result, elementTables(result, own), options.rows, coloursFor(process.stdout)));
    met &&= result.met;
  });
  return met ? EXIT.allMet : EXIT.unmet;
}
