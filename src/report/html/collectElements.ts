import { type ElementReport } from '../../claim/compare';
import { type Sides } from '../../claim/sides';
import { runScenario, type ClaimResult } from '../../claim/runScenario';
import type { WorldName } from '../../claim/tolerances';
import { loadScenarioChecked } from '../../run/runFile';
import { cellsOf } from '../../sweep/cellsOf';
import { badness, elementTables } from '../explainReport';
import type { RunReport } from '../runReport';
import { heatmapLayout, type AxisWindow } from './heatmapLayout';

// The elements behind the heat maps. The report keeps only each world's worst element; for a
// claim that is refuted or misses its expectation, its worst trial (that of the worse world's
// worst element) is run again with its sides kept, and the part of the elements a heat map shows
// is taken from them.

/** How many of a world's elements, worst first, are listed under its heat maps. */
export const LISTED_ELEMENTS = 12;

export const CELL_STATE = { value: 0, unselected: 1, unchecked: 2 } as const;

export interface WorldElements {
  world: WorldName;
  /** the shown window's values, row-major; NaN where there is none (see state) */
  lhs: Float64Array;
  rhs: Float64Array;
  /** CELL_STATE per shown cell */
  state: Uint8Array;
  /** this world's worst element in the trial, and its elements worst first (at most LISTED_ELEMENTS) */
  worst: ElementReport | null;
  rows: ElementReport[];
  selected: number;
  failing: number;
}

export interface ClaimElements {
  trial: number;
  seed: number;
  chosenBy: WorldName;
  vars: string[];
  sizes: number[];
  /** the window the maps show (absent for a claim without free indices: a single value) */
  layout: { rows: AxisWindow | null; columns: AxisWindow; fixed: { name: string; value: number }[]; cut: string } | null;
  worlds: WorldElements[];
}

export type ElementsIndex = Map<string, ClaimElements | { missing: string }>;

/** The key of a claim's elements: its file, its cell (0 without a sweep) and its id. */
export const elementsKey = (file: string, cell: number, id: string) => JSON.stringify([file, cell, id]);

/** Whether the page draws a claim's heat maps. */
export const wantsElements = (result: ClaimResult) => result.verdict === 'refuted' || !result.met;

/** The trial of the worse world's worst element, as `explain` chooses it. */
function worstTrial(result: ClaimResult): { trial: number; seed: number } | null {
  const worsts = [result.worlds.reference.worst, result.worlds.tfjs.worst].filter((w) => w !== null);
  if (worsts.length === 0) return null;
  return worsts.reduce((a, b) => (badness(b) > badness(a) ? b : a));
}

function windowOf(sides: Sides, layout: ReturnType<typeof heatmapLayout> | null): Pick<WorldElements, 'lhs' | 'rhs' | 'state'> {
  const rows = layout?.rows ? layout.rows.to - layout.rows.from + 1 : 1;
  const columns = layout ? layout.columns.to - layout.columns.from + 1 : 1;
  const positions = new Map<number, number>();
  if (sides.at) sides.at.forEach((flat, position) => positions.set(flat, position));
  const out = { lhs: new Float64Array(rows * columns).fill(NaN), rhs: new Float64Array(rows * columns).fill(NaN), state: new Uint8Array(rows * columns) };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const cell = r * columns + c;
      const flat = layout ? layout.flat(r, c) : 0;
      const position = sides.at ? positions.get(flat) : flat;
      if (position === undefined) out.state[cell] = CELL_STATE.unchecked;
      else if (sides.mask && !sides.mask[position]) out.state[cell] = CELL_STATE.unselected;
      else {
        out.lhs[cell] = sides.lhs[position];
        out.rhs[cell] = sides.rhs[position];
      }
    }
  }
  return out;
}

/** One claim's elements in its worst trial, or why there are none. */
function claimElements(scenario: Parameters<typeof runScenario>[0], result: ClaimResult): ClaimElements | { missing: string } {
  const worst = worstTrial(result);
  const claim = scenario.claims.find((c) => c.id === result.id);
  if (worst === null || !claim) return { missing: result.message ?? 'neither world judged an element' };
  // trial t of seed s draws from s + t: the worst trial alone is seed s + t, trial 0
  const again = runScenario(scenario, { claimIds: [result.id], seed: worst.seed, trials: 1, keepSides: true, agreement: false })[0];
  const tables = elementTables(again, claim);
  const kept = again.sides?.[0];
  if (!tables || !kept) return { missing: again.message ?? 'neither world judged an element' };
  const { vars, sizes } = kept.reference;
  const chosen = tables.worlds.find((w) => w.world === tables.chosenBy)!;
  const layout = sizes.length > 0 ? heatmapLayout(vars, sizes, chosen.rows[0]?.index ?? null) : null;
  return {
    trial: worst.trial,
    seed: worst.seed,
    chosenBy: tables.chosenBy,
    vars,
    sizes,
    layout: layout && { rows: layout.rows, columns: layout.columns, fixed: layout.fixed, cut: layout.cut },
    worlds: tables.worlds.map((table) => ({
      world: table.world,
      ...windowOf(kept[table.world], layout),
      worst: table.rows[0] ?? null,
      rows: table.rows.slice(0, LISTED_ELEMENTS),
      selected: table.selected,
      failing: table.failing,
    })),
  };
}

/**
 * The elements of every claim the page draws (refuted or unmet), each from one trial run again;
 * `onClaim` is told as each starts (progress).
 */
export function collectElements(report: RunReport, onClaim?: (k: number, n: number, what: string) => void): ElementsIndex {
  const jobs: { file: string; cell: number; label: string; scenario: Parameters<typeof runScenario>[0]; result: ClaimResult }[] = [];
  for (const s of report.scenarios) {
    if (s.problems) continue;
    const loaded = loadScenarioChecked(s.file);
    if (!loaded.ok) continue;
    const cells = cellsOf(loaded);
    const results = s.sweep ? s.sweep.cells.map((c) => c.claims) : [s.claims];
    results.forEach((claims, k) => {
      for (const result of claims) if (wantsElements(result)) jobs.push({ file: s.file, cell: k, label: cells[k].label, scenario: cells[k].scenario, result });
    });
  }
  const index: ElementsIndex = new Map();
  jobs.forEach((job, k) => {
    onClaim?.(k + 1, jobs.length, `${job.file}${job.label} › ${job.result.id}`);
    index.set(elementsKey(job.file, job.cell, job.result.id), claimElements(job.scenario, job.result));
  });
  return index;
}
