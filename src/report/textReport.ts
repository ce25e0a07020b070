import type { Colors } from 'picocolors/types';
import type { ClaimResult } from '../claim/runScenario';
import type { ScenarioReport } from '../run/runFile';
import { formatProblemLong } from '../foundation/problem';
import type { AgreementResult } from '../claim/agreement';
import { AGREEMENT_NAME, describeAgreementDetails, describeAgreementLine, describeAgreementVerdict } from './describeAgreement';
import { describeClaimDetails, describeNote, describeVerdict } from './describeClaim';
import { sweepScenarioLines } from './sweepText';
import { allMet, summaryLine, summaryOf, type RunReport } from './runReport';

// The text report: per file a head line, then one line per claim with a mark and the verdict;
// an unmet claim is followed by its worst elements; then the gradient agreement check's line
// (with its details when unmet); a summary line closes. Colour is the
// caller's choice (a terminal only), passed in as picocolors functions.

export const MARK = { met: '✓', unmet: '✗', invalid: '!' } as const;

function claimLines(claim: ClaimResult, idWidth: number, verdictWidth: number, c: Colors): string[] {
  const mark = claim.met ? c.green(MARK.met) : c.red(MARK.unmet);
  const verdict = describeVerdict(claim).padEnd(verdictWidth);
  const line = `  ${mark} ${claim.id.padEnd(idWidth)}  ${claim.met ? verdict : c.red(c.bold(verdict))}  ${c.dim(claim.says)}`;
  // a disputed claim, even as expected, says why when it knows (the gradient agreement check)
  if (claim.met) return [line.trimEnd(), ...(claim.verdict === 'disputed' && claim.message ? claim.message.split('\n').map((m) => `      ${c.dim(m)}`) : [])];
  return [line.trimEnd(), ...describeClaimDetails(claim).slice(1).map((detail) => `      ${detail}`)];
}

/** The scenario's notes, each on a line under its head. */
function noteLines(scenario: ScenarioReport, c: Colors): string[] {
  return (scenario.notes ?? []).map((n) => `  ${c.dim(describeNote(n))}`);
}

/** The gradient agreement check's line (and, when unmet, its details). */
function agreementLines(a: AgreementResult, c: Colors): string[] {
  const mark = a.met ? c.green(MARK.met) : c.red(MARK.unmet);
  const verdict = describeAgreementVerdict(a);
  const line = `  ${mark} ${AGREEMENT_NAME}  ${a.met ? verdict : c.red(c.bold(verdict))}  ${c.dim(describeAgreementLine(a))}`;
  if (a.met) return [line];
  return [line, ...describeAgreementDetails(a).map((detail) => `      ${detail}`)];
}

function scenarioLines(scenario: ScenarioReport, c: Colors): string[] {
  if (scenario.sweep) return sweepScenarioLines(scenario, c);
  if (scenario.problems) {
    return [
      `${c.bold(scenario.file)} ${c.red('— invalid scenario file, not run')}`,
      ...scenario.problems.map((p) => `  ${c.red(MARK.invalid)} ${formatProblemLong(p).replace(/\n/g, '\n  ')}`),
    ];
  }
  const idWidth = Math.max(0, ...scenario.claims.map((claim) => claim.id.length));
  const verdictWidth = Math.max(0, ...scenario.claims.map((claim) => describeVerdict(claim).length));
  const claims = scenario.claims.length > 0 ? scenario.claims.flatMap((claim) => claimLines(claim, idWidth, verdictWidth, c)) : [`  ${c.dim('(no claims)')}`];
  return [`${c.bold(scenario.file)} ${c.dim(`— ${scenario.title}`)}`, ...noteLines(scenario, c), ...claims, ...(scenario.agreement ? agreementLines(scenario.agreement, c) : [])];
}

export function textReport(report: RunReport, c: Colors): string {
  const summary = summaryOf(report);
  const words = summaryLine(summary);
  const ok = allMet(summary);
  const tail = c.dim(` · derivcheck ${report.version} on ${report.backend} · ${(report.elapsedMs / 1000).toFixed(1)} s`);
  const lines = report.scenarios.flatMap((s) => scenarioLines(s, c));
  return `${[...lines, ...(lines.length > 0 ? [''] : []), `${ok ? c.green(words) : c.red(c.bold(words))}${tail}`].join('\n')}\n`;
}
