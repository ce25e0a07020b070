import { isAbsolute, relative } from 'node:path';
import { z } from 'zod';
import { checkedOptions, OptionsSchema, runOptionsOf, type DerivcheckOptions } from '../api/options';
import type { AgreementResult } from '../claim/agreement';
import { runScenarioWithAgreement, type ClaimResult } from '../claim/runScenario';
import { sortedUnique } from '../run/shard';
import { AGREEMENT_NAME, describeAgreementDetails, describeAgreementLine, describeAgreementVerdict } from '../report/describeAgreement';
import { describeClaim } from '../report/describeClaim';
import { scenarioSourcesOf } from '../run/runFile';
import { claimsNotFound } from '../run/runFiles';
import { findScenarioFiles } from '../load/findScenarioFiles';
import { formatProblemLong } from '../foundation/problem';
import { backendFromEnvironment, useBackend } from '../tfjs/backend';

// `scenarioTests(paths)` in a spec file of the user's project: one describe per scenario (a
// JSON file, or a Markdown file's derivcheck block), one test per claim, which passes when the
// claim's verdict meets its expectation, and one for the scenario's built-in gradient agreement
// check, which passes when its verdict is the scenario's `agreement` (agrees by default). Jest registers tests synchronously, so the files
// are found, loaded and checked here, at registration; the claims run in each describe's
// beforeAll, where the backend is started too.

export interface ScenarioTestsOptions extends DerivcheckOptions {
  /** milliseconds one scenario may take to run (its beforeAll); default 10 minutes */
  timeout?: number;
}

const TestsOptionsSchema = OptionsSchema.extend({ timeout: z.number().positive().optional() });

const DEFAULT_TIMEOUT_MS = 600_000;

/** A path as the user's jest run shows it: relative to the working folder when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** A failure with the report's words and no stack trace (the place that matters is in the words). */
function failure(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

/** jest's functions, from the jest run that loads this file (jest hands them to any module that asks). */
function jestGlobals(): typeof import('@jest/globals') {
  try {
    return require('@jest/globals') as typeof import('@jest/globals');
  } catch {
    throw new Error('derivcheck/jest: scenarioTests registers jest tests; call it in a spec file that jest runs');
  }
}

/** Registers one jest test per claim of the scenarios in these files and folders. */
export function scenarioTests(paths: string | readonly string[], options: ScenarioTestsOptions = {}): void {
  const { beforeAll, describe, it } = jestGlobals();
  const list: readonly string[] = typeof paths === 'string' ? [paths] : paths;
  const { timeout = DEFAULT_TIMEOUT_MS, ...opts } = checkedOptions(TestsOptionsSchema, options);
  const files = sortedUnique(findScenarioFiles(list));
  if (files.length === 0) {
    it(`finds scenario files in ${list.map(shown).join(', ')}`, () => {
      throw failure(`no scenario files (*.json, or *.md with a derivcheck block) in ${list.join(', ')}`);
    });
    return;
  }

  let backend: Promise<string> | undefined;
  const started = () => (backend ??= useBackend(opts.backend ?? backendFromEnvironment()));
  const run = runOptionsOf(opts);
  const registered = new Set<string>();
  const known = new Set<string>();

  for (const source of files.flatMap(scenarioSourcesOf)) {
    const { loaded } = source;
    const name = shown(loaded.file);
    if (!loaded.ok) {
      const problems = loaded.problems.map((p) => formatProblemLong({ ...p, file: shown(p.file) })).join('\n');
      it(`${name} is a valid scenario file`, () => {
        throw failure(problems);
      });
      continue;
    }
    const { scenario } = loaded;
    for (const c of scenario.claims) known.add(c.id);
    const claims = scenario.claims.flatMap((claim, i) => (!opts.claims || opts.claims.includes(claim.id) ? [{ claim, line: source.claimLines[i] }] : []));
    // with ids asked for, a scenario without any of them is left out (its check too)
    if (opts.claims && claims.length === 0) continue;
    describe(`${name} — ${scenario.title}`, () => {
      let results: Map<string, ClaimResult>;
      let agreement: AgreementResult | null;
      beforeAll(async () => {
        await started();
        const ran = runScenarioWithAgreement(scenario, run);
        results = new Map(ran.claims.map((r) => [r.id, r]));
        agreement = ran.agreement;
      }, timeout);
      for (const { claim, line } of claims) {
        registered.add(claim.id);
        it(`${claim.id}: ${claim.says}`, () => {
          const result = results.get(claim.id)!;
          if (!result.met) throw failure(`${shown(source.file)}${line !== undefined ? `:${line}` : ''}: ${describeClaim(result)}`);
        });
      }
      it(`${AGREEMENT_NAME}: tfjs autodiff against the float64 reference`, () => {
        if (agreement && !agreement.met) throw failure(`${shown(source.file)}: ${AGREEMENT_NAME}: ${describeAgreementVerdict(agreement)}: ${describeAgreementLine(agreement)}\n${describeAgreementDetails(agreement).map((d) => `  ${d}`).join('\n')}`);
      });
    });
  }

  const missing = claimsNotFound(opts.claims ?? [], registered, () => [...known], `${list.map(shown).join(', ')}`);
  if (missing.length > 0) {
    it('finds every claim asked for', () => {
      throw failure(missing.join('\n'));
    });
  }
}
