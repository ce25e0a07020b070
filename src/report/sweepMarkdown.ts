import { agreementsOf, type ScenarioReport } from '../run/runFile';
import { describeSweepAgreement } from './describeAgreement';
import { valueLabel } from '../sweep/grid';
import { claimMatrices, describeExpect, describeHoldsWhere, describeMet, type ClaimMatrix, type MatrixCell } from './sweepMatrix';
import { describeWorst } from './describeClaim';
import { agreementLine, cell, noteBlock } from './markdownReport';

// The markdown report of a sweep: per claim a line (statement, how many cells met, where it
// holds), its verdict table over the axes, and the cells that miss their expectation; then the
// gradient agreement check over the cells.


const verdictCell = (c: MatrixCell) => (c.result.met ? `✅ ${c.result.verdict}` : `❌ **${c.result.verdict}**, expected ${c.result.expect}`);

function matrixBlock(matrix: ClaimMatrix): string[] {
  const rowAxes = matrix.axes.slice(0, -1);
  const last = matrix.axes[matrix.axes.length - 1];
  const header = [...rowAxes.map((a) => cell(a.name)), ...last.values.map((v) => cell(`${last.name}=${valueLabel(v)}`))];
  const mark = matrix.missed.length === 0 ? '✅' : '❌';
  const lines = [
    `${mark} \`${matrix.id}\` — ${cell(matrix.says)}: ${describeMet(matrix)}. Expected: ${cell(describeExpect(matrix))}. Found: ${cell(describeHoldsWhere(matrix))}.`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...matrix.rows.map((row) => `| ${[...row.values.map((v) => cell(valueLabel(v))), ...row.cells.map(verdictCell)].join(' | ')} |`),
    '',
  ];
  if (matrix.missed.length > 0) {
    lines.push('Cells that miss their expectation:', '');
    for (const c of matrix.missed) lines.push(`- ${cell(c.label)}: ${verdictCell(c)}; reference: ${cell(describeWorst(c.result, 'reference'))}; tfjs: ${cell(describeWorst(c.result, 'tfjs'))}`);
    lines.push('');
  }
  return lines;
}

/** The gradient agreement check over the cells: one line, and each cell that misses its expectation. */
function agreementBlock(scenario: ScenarioReport): string[] {
  const cells = agreementsOf(scenario);
  if (cells.length === 0) return [];
  const { met, line, missed } = describeSweepAgreement(scenario.sweep!.axes, cells);
  return [`${met ? '✅' : '❌'} Gradient agreement (tfjs autodiff against the float64 reference): ${cell(line)}`, '', ...missed.flatMap((m) => [`- ${agreementLine(m.agreement, m.label)}`]), ...(missed.length > 0 ? [''] : [])];
}

export function sweepMarkdownBlock(scenario: ScenarioReport): string[] {
  const sweep = scenario.sweep!;
  const grid = sweep.axes.map((a) => `${cell(a.name)} (\`${a.path}\`)`).join(' × ');
  return [`**${cell(scenario.title)}** (\`${scenario.file}\`): a sweep over ${grid}, ${sweep.cells.length} cells`, '', ...noteBlock(scenario), ...claimMatrices(sweep).flatMap(matrixBlock), ...agreementBlock(scenario)];
}
