import type { ClaimResult } from '../claim/runScenario';
import type { ScenarioReport } from '../run/runFile';
import { formatProblem } from '../foundation/problem';
import type { AgreementResult } from '../claim/agreement';
import { describeAgreementDetails, describeAgreementLine, describeAgreementVerdict } from './describeAgreement';
import { describeNote, describeStep, describeWorst } from './describeClaim';
import { summaryLine, summaryOf, type RunReport } from './runReport';
import { sweepMarkdownBlock } from './sweepMarkdown';

// The markdown report: per scenario file a verdict table (claim, statement, verdict, worst
// element) and the gradient agreement check's line, to paste into a README or an article. Headings are bold lines, not #, so the
// tables fit under any heading level.

/** Text safe inside a table cell: markdown's special characters escaped, lines joined by <br>. */
export function cell(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, '<br>');
}

function verdictCell(claim: ClaimResult): string {
  return claim.met ? `✅ ${claim.verdict}` : `❌ **${claim.verdict}**, expected ${claim.expect}`;
}

/** The reference world decides what is shown; both worlds when they disagree or one could not judge. */
function worstCell(claim: ClaimResult): string {
  if (claim.verdict === 'vacuous' && claim.message) return cell(claim.message);
  const step = describeStep(claim);
  const on = step ? `${cell(step)}:<br>` : '';
  const { reference, tfjs } = claim.worlds;
  if (reference.outcome === tfjs.outcome && reference.outcome !== 'error') return `${on}${cell(describeWorst(claim, 'reference'))}`;
  return `${on}${cell(`reference: ${describeWorst(claim, 'reference')}`)}<br>${cell(`tfjs: ${describeWorst(claim, 'tfjs')}`)}`;
}

/** The scenario's notes as a list, and a blank line after it. */
export function noteBlock(scenario: ScenarioReport): string[] {
  return scenario.notes ? [...scenario.notes.map((n) => `- ${cell(describeNote(n))}`), ''] : [];
}

/** The gradient agreement check of a scenario, as a line under its table. */
export function agreementLine(a: AgreementResult, label?: string): string {
  const mark = a.met ? '✅' : '❌';
  const verdict = a.met ? describeAgreementVerdict(a) : `**${a.verdict}**, expected ${a.expect}`;
  const details = a.met ? [] : describeAgreementDetails(a);
  return `${mark} Gradient agreement${label ? ` ${cell(label)}` : ''} (tfjs autodiff against the float64 reference): ${verdict}: ${cell(describeAgreementLine(a))}${details.map((d) => `; ${cell(d)}`).join('')}`;
}

function scenarioBlock(scenario: ScenarioReport): string[] {
  if (scenario.sweep) return sweepMarkdownBlock(scenario);
  if (scenario.problems) {
    return [`**${cell(scenario.file)}** — ❗ invalid scenario file, not run:`, '', ...scenario.problems.map((p) => `- ${cell(formatProblem(p))}`), ''];
  }
  if (scenario.claims.length === 0) return [`**${cell(scenario.title)}** (\`${scenario.file}\`): no claims.`, '', ...noteBlock(scenario), ...(scenario.agreement ? [agreementLine(scenario.agreement), ''] : [])];
  return [
    `**${cell(scenario.title)}** (\`${scenario.file}\`)`,
    '',
    ...noteBlock(scenario),
    '| Claim | Statement | Verdict | Worst element |',
    '| --- | --- | --- | --- |',
    ...scenario.claims.map((c) => `| \`${c.id}\` | ${cell(c.says)} | ${verdictCell(c)} | ${worstCell(c)} |`),
    '',
    ...(scenario.agreement ? [agreementLine(scenario.agreement), ''] : []),
  ];
}

export function markdownReport(report: RunReport): string {
  const summary = summaryOf(report);
  const lines = report.scenarios.flatMap(scenarioBlock);
  return `${[...lines, `${summaryLine(summary)} · derivcheck ${report.version} on ${report.backend}`].join('\n')}\n`;
}
