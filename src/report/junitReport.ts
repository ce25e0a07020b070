import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { ClaimResult } from '../claim/runScenario';
import type { ScenarioReport } from '../run/runFile';
import { formatProblemLong } from '../foundation/problem';
import { describeClaim, describeVerdict } from './describeClaim';
import { summaryOf, type RunReport } from './runReport';
import { claimMatrices, describeHoldsWhere } from './sweepMatrix';

// The JUnit XML report: one testsuite per scenario file, one testcase per claim. An unmet claim
// is a <failure>; a claim that could not be evaluated (verdict error) and an invalid file are an
// <error>. Times are in seconds, as JUnit readers expect.

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

function addScenario(root: XMLBuilder, scenario: ScenarioReport, backend: string): void {
  if (scenario.problems) {
    const suite = root.ele('testsuite', { name: scenario.file, file: scenario.file, tests: 1, failures: 0, errors: 1, skipped: 0, time: seconds(scenario.elapsedMs) });
    suite
      .ele('testcase', { name: 'is a valid scenario file', classname: classNameOf(scenario.file), file: scenario.file, time: seconds(scenario.elapsedMs) })
      .ele('error', { message: `invalid scenario file (${scenario.problems.length} problem${scenario.problems.length === 1 ? '' : 's'})`, type: 'invalid' })
      .txt(scenario.problems.map(formatProblemLong).join('\n'));
    return;
  }
  const failures = scenario.claims.filter((c) => !c.met && c.verdict !== 'error').length;
  const errors = scenario.claims.filter((c) => !c.met && c.verdict === 'error').length;
  const suite = root.ele('testsuite', { name: scenario.title, file: scenario.file, tests: scenario.claims.length, failures, errors, skipped: 0, time: seconds(scenario.elapsedMs) });
  const properties = suite.ele('properties');
  properties.ele('property', { name: 'backend', value: backend });
  if (scenario.sweep) {
    // where each claim holds, in words; then one testcase per claim and cell
    const matrices = claimMatrices(scenario.sweep);
    for (const matrix of matrices) properties.ele('property', { name: `${matrix.id}: where it holds`, value: describeHoldsWhere(matrix) });
    for (const matrix of matrices) for (const cell of matrix.cells) addClaim(suite, scenario.file, cell.result, cell.label);
    return;
  }
  for (const claim of scenario.claims) addClaim(suite, scenario.file, claim);
}

export function junitReport(report: RunReport): string {
  const summary = summaryOf(report);
  const errors = report.scenarios.reduce((n, s) => n + (s.problems ? 1 : s.claims.filter((c) => !c.met && c.verdict === 'error').length), 0);
  const tests = summary.claims + summary.invalidFiles;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: `derivcheck ${report.version} (${report.backend})`,
    tests,
    failures: summary.unmet - (errors - summary.invalidFiles),
    errors,
    time: seconds(report.elapsedMs),
  });
  for (const scenario of report.scenarios) addScenario(root, scenario, report.backend);
  return `${root.end({ prettyPrint: true })}\n`;
}
