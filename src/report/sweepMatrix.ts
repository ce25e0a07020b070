import type { ClaimResult } from '../claim/runScenario';
import type { SweepReport } from '../run/runFile';
import { cellLabel, valueLabel, type Axis } from '../sweep/grid';
import { simplestCondition, type SimplestCondition } from '../sweep/simplestCondition';

// A sweep's results seen per claim: its verdict in every cell, laid out as a matrix (one row per
// combination of the axes but the last, one column per value of the last), the cells that miss
// their expectation, and the simplest condition where it holds. Every report format reads this.

export interface MatrixCell {
  values: unknown[];
  /** `[activation=linear, classes=2]` */
  label: string;
  result: ClaimResult;
}

export interface ClaimMatrix {
  id: string;
  says: string;
  axes: Axis[];
  /** every cell, in the grid's order (the last axis fastest) */
  cells: MatrixCell[];
  /** rows of the matrix: the values of every axis but the last, and that row's cells */
  rows: { values: unknown[]; cells: MatrixCell[] }[];
  /** the cells whose verdict is not their expectation */
  missed: MatrixCell[];
  holdsWhere: SimplestCondition;
  /** the expectation as written: one verdict, or the rules */
  expect: string | { when?: string; expect: string }[];
}

/** One matrix per claim, in the order of the file's claims. */
export function claimMatrices(sweep: SweepReport): ClaimMatrix[] {
  const ids = sweep.cells[0]?.claims.map((c) => c.id) ?? [];
  const columns = sweep.axes[sweep.axes.length - 1].values.length;
  return ids.map((id, k) => {
    const cells = sweep.cells.map(({ values, claims }) => ({ values, label: cellLabel(sweep.axes, values), result: claims.find((c) => c.id === id) ?? claims[k] }));
    const rows = Array.from({ length: cells.length / columns }, (_, r) => {
      const row = cells.slice(r * columns, (r + 1) * columns);
      return { values: row[0].values.slice(0, -1), cells: row };
    });
    const first = cells[0].result;
    return {
      id,
      says: first.says,
      axes: sweep.axes,
      cells,
      rows,
      missed: cells.filter((c) => !c.result.met),
      holdsWhere: simplestCondition(sweep.axes, cells.map((c) => c.result.verdict === 'holds')),
      expect: sweep.rules[id] ?? first.expect,
    };
  });
}

/** `holds where activation == 'linear'`, `holds in every cell`, … */
export function describeHoldsWhere(matrix: ClaimMatrix): string {
  const h = matrix.holdsWhere;
  const holding = matrix.cells.filter((c) => c.result.verdict === 'holds').length;
  switch (h.kind) {
    case 'every':
      return `holds in every cell (${matrix.cells.length})`;
    case 'none':
      return 'holds in no cell';
    case 'condition':
      return `holds where ${h.text}`;
    case 'unknown':
      return `holds in ${holding} of ${matrix.cells.length} cells (no condition: the search for one went past its bound)`;
  }
}

/** `activation == 'linear' → holds; otherwise refuted`, or the one verdict. */
export function describeExpect(matrix: ClaimMatrix): string {
  if (typeof matrix.expect === 'string') return `${matrix.expect} in every cell`;
  return matrix.expect.map((r) => (r.when ? `${r.expect} where ${r.when}` : `${r.expect} otherwise`)).join('; ');
}

/** `12 of 16 cells as expected` */
export function describeMet(matrix: ClaimMatrix): string {
  const met = matrix.cells.length - matrix.missed.length;
  return `${met} of ${matrix.cells.length} cell${matrix.cells.length === 1 ? '' : 's'} as expected`;
}

/** The row's label: `activation=linear, classes=2` (empty for a sweep of one axis). */
export function rowLabel(axes: readonly Axis[], values: readonly unknown[]): string {
  return values.map((v, k) => `${axes[k].name}=${valueLabel(v)}`).join(', ');
}
