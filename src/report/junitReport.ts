import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { ClaimResult } from '../claim/runScenario';
import type { AgreementResult } from '../claim/agreement';
import { agreementsOf, type ScenarioReport } from '../run/runFile';
import { cellLabel } from '../sweep/grid';
import { AGREEMENT_NAME, describeAgreementDetails, describeAgreementLine, describeAgreementVerdict } from './describeAgreement';
import { formatPath, formatProblemLong } from '../foundation/problem';
import { describeClaim, describeVerdict } from './describeClaim';
import { summaryOf, type RunReport } from './runReport';
import { claimMatrices, describeHoldsWhere } from './sweepMatrix';

// The JUnit XML report: one testsuite per scenario file, one testcase per claim and one for the
// gradient agreement check (per cell in a sweep). An unmet claim or check is a <failure>; a claim
// or check that could not be evaluated (verdict error) and an invalid file are an <error>. Times
// are in seconds, as JUnit readers expect.

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** `scenarios/article/demo-label0.json` → `scenarios.article.demo-label0`, the dotted form CI dashboards group by. */
export function classNameOf(file: string): string {
  return file.replace(/\.json$/, '').replace(/^(\.?[\\/])+/, '').replace(/[\\/]+/g, '.');
}

/** A claim's testcase; in a sweep, one per cell, the cell's label after the id. */
function addClaim(suite: XMLBuilder, file: string, claim: ClaimResult, cell?: string): void {
  const time = claim.worlds.reference.elapsedMs + claim.worlds.tfjs.elapsedMs;
  const testcase = suite.ele('testcase', { name: `${claim.id}${cell ? ` ${cell}` : ''}: ${claim.says}`, classname: classNameOf(file), file, time: seconds(time) });
  if (claim.met) return;
  const kind = claim.verdict === 'error' ? 'error' : 'failure';
  testcase.ele(kind, { message: `${cell ? `${cell}: ` : ''}${describeVerdict(claim)}`, type: claim.verdict }).txt(describeClaim(claim));
}

/** The gradient agreement check's testcase; in a sweep, one per cell, the cell's label after its name. */
function addAgreement(suite: XMLBuilder, file: string, a: AgreementResult, cell?: string): void {
  const testcase = suite.ele('testcase', { name: `${AGREEMENT_NAME}${cell ? ` ${cell}` : ''}: tfjs autodiff against the float64 reference`, classname: classNameOf(file), file, time: seconds(a.elapsedMs) });
  if (a.met) return;
  const kind = a.verdict === 'error' ? 'error' : 'failure';
  testcase.ele(kind, { message: `${cell ? `${cell}: ` : ''}${describeAgreementVerdict(a)}`, type: a.verdict }).txt([describeAgreementLine(a), ...describeAgreementDetails(a)].join('\n'));
}

/** A scenario's testcases that fail (`failure`) and that could not be evaluated (`error`): claims and agreement checks. */
function counts(scenario: ScenarioReport): { tests: number; failures: number; errors: number } {
  const checks = agreementsOf(scenario).map((c) => c.agreement);
  const unmet = [...scenario.claims.filter((c) => !c.met).map((c) => c.verdict), ...checks.filter((a) => !a.met).map((a) => a.verdict)];
  const errors = unmet.filter((v) => v === 'error').length;
  return { tests: scenario.claims.length + checks.length, failures: unmet.length - errors, errors };
}

function addScenario(root: XMLBuilder, scenario: ScenarioReport, backend: string): void {
  if (scenario.problems) {
    const suite = root.ele('testsuite', { name: scenario.file, file: scenario.file, tests: 1, failures: 0, errors: 1, skipped: 0, time: seconds(scenario.elapsedMs) });
    suite
      .ele('testcase', { name: 'is a valid scenario file', classname: classNameOf(scenario.file), file: scenario.file, time: seconds(scenario.elapsedMs) })
      .ele('error', { message: `invalid scenario file (${scenario.problems.length} problem${scenario.problems.length === 1 ? '' : 's'})`, type: 'invalid' })
      .txt(scenario.problems.map(formatProblemLong).join('\n'));
    return;
  }
  const suite = root.ele('testsuite', { name: scenario.title, file: scenario.file, ...counts(scenario), skipped: 0, time: seconds(scenario.elapsedMs) });
  const properties = suite.ele('properties');
  properties.ele('property', { name: 'backend', value: backend });
  for (const note of scenario.notes ?? []) properties.ele('property', { name: `note: ${formatPath(note.path)}`, value: note.message });
  if (scenario.sweep) {
    // where each claim holds, in words; then one testcase per claim and cell
    const matrices = claimMatrices(scenario.sweep);
    for (const matrix of matrices) properties.ele('property', { name: `${matrix.id}: where it holds`, value: describeHoldsWhere(matrix) });
    for (const matrix of matrices) for (const cell of matrix.cells) addClaim(suite, scenario.file, cell.result, cell.label);
    for (const { values, agreement } of agreementsOf(scenario)) addAgreement(suite, scenario.file, agreement, cellLabel(scenario.sweep.axes, values ?? []));
    return;
  }
  for (const claim of scenario.claims) addClaim(suite, scenario.file, claim);
  if (scenario.agreement) addAgreement(suite, scenario.file, scenario.agreement);
}

export function junitReport(report: RunReport): string {
  const summary = summaryOf(report);
  const valid = report.scenarios.filter((s) => !s.problems).map(counts);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: `derivcheck ${report.version} (${report.backend})`,
    tests: valid.reduce((n, c) => n + c.tests, 0) + summary.invalidFiles,
    failures: valid.reduce((n, c) => n + c.failures, 0),
    errors: valid.reduce((n, c) => n + c.errors, 0) + summary.invalidFiles,
    time: seconds(report.elapsedMs),
  });
  for (const scenario of report.scenarios) addScenario(root, scenario, report.backend);
  return `${root.end({ prettyPrint: true })}\n`;
}
