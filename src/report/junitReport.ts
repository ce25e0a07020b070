import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { ClaimResult } from '../claim/runScenario';
import type { ScenarioReport } from '../run/runFile';
import { formatProblemLong } from '../foundation/problem';
import { describeClaim, describeVerdict } from './describeClaim';
import { summaryOf, type RunReport } from './runReport';

// The JUnit XML report: one testsuite per scenario file, one testcase per claim. An unmet claim
// is a <failure>; a claim that could not be evaluated (verdict error) and an invalid file are an
// <error>. Times are in seconds, as JUnit readers expect.

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** `scenarios/article/demo-label0.json` → `scenarios.article.demo-label0`, the dotted form CI dashboards group by. */
export function classNameOf(file: string): string {
  return file.replace(/\.json$/, '').replace(/^(\.?[\\/])+/, '').replace(/[\\/]+/g, '.');
}

function addClaim(suite: XMLBuilder, file: string, claim: ClaimResult): void {
  const time = claim.worlds.reference.elapsedMs + claim.worlds.tfjs.elapsedMs;
  const testcase = suite.ele('testcase', { name: `${claim.id}: ${claim.says}`, classname: classNameOf(file), file, time: seconds(time) });
  if (claim.met) return;
  const kind = claim.verdict === 'error' ? 'error' : 'failure';
  testcase.ele(kind, { message: describeVerdict(claim), type: claim.verdict }).txt(describeClaim(claim));
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
  suite.ele('properties').ele('property', { name: 'backend', value: backend });
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
