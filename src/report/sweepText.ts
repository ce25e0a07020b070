import type { Colors } from 'picocolors/types';
import { agreementsOf, type ScenarioReport } from '../run/runFile';
import { AGREEMENT_NAME, describeAgreementDetails, describeAgreementLine, describeAgreementVerdict, describeSweepAgreement } from './describeAgreement';
import { valueLabel } from '../sweep/grid';
import { describeClaimDetails, describeNote, describeVerdict } from './describeClaim';
import { claimMatrices, describeExpect, describeHoldsWhere, describeMet, type ClaimMatrix } from './sweepMatrix';

// The text report of a sweep: per claim a head line (met in every cell or not), its expectation,
// where it holds, its verdict table (rows: the values of every axis but the last; columns: the
// last axis's values) and, for each cell that misses its expectation, both worlds' worst elements;
// then the gradient agreement check over the cells, with each cell that misses its expectation.

const MARK = { met: '✓', unmet: '✗' } as const;

/** Columns padded to their widest entry; the row axes left-aligned, a bar before the verdicts. */
function table(matrix: ClaimMatrix, c: Colors): string[] {
  const axes = matrix.axes;
  const rowAxes = axes.slice(0, -1);
  const last = axes[axes.length - 1];
  const header = [...rowAxes.map((a) => a.name), ...last.values.map((v) => `${last.name}=${valueLabel(v)}`)];
  const body = matrix.rows.map((row) => [...row.values.map(valueLabel), ...row.cells.map((cell) => `${cell.result.met ? MARK.met : MARK.unmet} ${cell.result.verdict}`)]);
  const widths = header.map((h, col) => Math.max(h.length, ...body.map((r) => r[col].length)));
  const split = rowAxes.length;
  const line = (cells: string[], paint: (text: string, col: number) => string) =>
    cells.map((text, col) => `${col === split && split > 0 ? '│ ' : ''}${paint(text.padEnd(widths[col]), col)}`).join('  ').trimEnd();
  const painted = (row: number) => (text: string, col: number) => {
    if (col < split) return text;
    return matrix.rows[row].cells[col - split].result.met ? text : c.red(c.bold(text));
  };
  return [line(header, (t) => c.dim(t)), ...body.map((r, i) => line(r, painted(i)))];
}

function claimLines(matrix: ClaimMatrix, idWidth: number, c: Colors): string[] {
  const met = matrix.missed.length === 0;
  const head = `  ${met ? c.green(MARK.met) : c.red(MARK.unmet)} ${matrix.id.padEnd(idWidth)}  ${met ? describeMet(matrix) : c.red(c.bold(describeMet(matrix)))}  ${c.dim(matrix.says)}`;
  const lines = [head, `      expected: ${describeExpect(matrix)}`, `      found:    ${describeHoldsWhere(matrix)}`, ...table(matrix, c).map((l) => `        ${l}`)];
  for (const cell of matrix.missed) {
    lines.push(`      ${c.red(MARK.unmet)} ${cell.label}: ${c.red(describeVerdict(cell.result))}`);
    lines.push(...describeClaimDetails(cell.result).slice(1).map((detail) => `          ${detail}`));
  }
  return lines;
}

export function sweepScenarioLines(scenario: ScenarioReport, c: Colors): string[] {
  const sweep = scenario.sweep!;
  const grid = sweep.axes.map((a) => `${a.name} (${a.values.length})`).join(' × ');
  const matrices = claimMatrices(sweep);
  const idWidth = Math.max(0, ...matrices.map((m) => m.id.length));
  const claims = matrices.length > 0 ? matrices.flatMap((m) => claimLines(m, idWidth, c)) : [`  ${c.dim('(no claims)')}`];
  return [`${c.bold(scenario.file)} ${c.dim(`— ${scenario.title}`)}`, `  ${c.dim(`sweep: ${grid} = ${sweep.cells.length} cells`)}`, ...(scenario.notes ?? []).map((n) => `  ${c.dim(describeNote(n))}`), ...claims, ...agreementLines(scenario, c)];
}

/** The gradient agreement check over the cells: one line, and each cell that misses its expectation with its details. */
function agreementLines(scenario: ScenarioReport, c: Colors): string[] {
  const cells = agreementsOf(scenario);
  if (cells.length === 0) return [];
  const { met, line, missed } = describeSweepAgreement(scenario.sweep!.axes, cells);
  const lines = [`  ${met ? c.green(MARK.met) : c.red(MARK.unmet)} ${AGREEMENT_NAME}  ${met ? line : c.red(c.bold(line))}`];
  for (const cell of missed) {
    lines.push(`      ${c.red(MARK.unmet)} ${cell.label}: ${c.red(describeAgreementVerdict(cell.agreement))}: ${describeAgreementLine(cell.agreement)}`);
    lines.push(...describeAgreementDetails(cell.agreement).map((detail) => `          ${detail}`));
  }
  return lines;
}
