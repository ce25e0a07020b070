import { agreementsOf, type ScenarioReport } from '../run/runFile';

// One run of the check command over many files: what every report format renders, and the
// exit code it gives (DESIGN §4).

export interface RunReport {
  tool: 'derivcheck';
  version: string;
  /** the tfjs backend the claims ran on */
  backend: string;
  scenarios: ScenarioReport[];
  elapsedMs: number;
}

export interface RunSummary {
  files: number;
  claims: number;
  met: number;
  unmet: number;
  invalidFiles: number;
  /** gradient agreement checks run (one per scenario, one per cell of a sweep), and those whose verdict is not the one expected */
  agreementChecks: number;
  agreementUnmet: number;
}

export function summaryOf(report: RunReport): RunSummary {
  const claims = report.scenarios.flatMap((s) => s.claims);
  const met = claims.filter((c) => c.met).length;
  const agreements = report.scenarios.flatMap(agreementsOf);
  return {
    files: report.scenarios.length,
    claims: claims.length,
    met,
    unmet: claims.length - met,
    invalidFiles: report.scenarios.filter((s) => s.problems).length,
    agreementChecks: agreements.length,
    agreementUnmet: agreements.filter((a) => !a.agreement.met).length,
  };
}

export const EXIT = { allMet: 0, unmet: 1, invalid: 2 } as const;

/**
 * 2 when a file is invalid (it takes precedence: a file that did not run may hide anything), 1
 * when a claim or a gradient agreement check is unmet, else 0.
 */
export function exitCodeOf(summary: RunSummary): number {
  if (summary.invalidFiles > 0) return EXIT.invalid;
  return summary.unmet > 0 || summary.agreementUnmet > 0 ? EXIT.unmet : EXIT.allMet;
}

/** Whether every claim and every gradient agreement check met its expectation, and no file was invalid. */
export const allMet = (summary: RunSummary): boolean => exitCodeOf(summary) === EXIT.allMet;

/** `12 claims in 7 files: 11 met, 1 unmet; 1 invalid file`, and `; 1 gradient agreement check unmet` when one is */
export function summaryLine(summary: RunSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const invalid = summary.invalidFiles > 0 ? `; ${plural(summary.invalidFiles, 'invalid file')}` : '';
  const agreement = summary.agreementUnmet > 0 ? `; ${plural(summary.agreementUnmet, 'gradient agreement check')} unmet` : '';
  return `${plural(summary.claims, 'claim')} in ${plural(summary.files, 'file')}: ${summary.met} met, ${summary.unmet} unmet${agreement}${invalid}`;
}
