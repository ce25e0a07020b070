import { writeFileSync } from 'node:fs';
import { renderReport, type Format } from '../report/formats';
import { exitCodeOf, EXIT, summaryOf, type RunReport } from '../report/runReport';
import type { ScenarioReport } from '../run/runFile';
import { missingClaims, runFiles } from '../run/runFiles';
import { findScenarioFiles } from '../load/findScenarioFiles';
import type { BackendChoice } from '../tfjs/backendChoices';
import type { ElementsIndex } from '../report/html/collectElements';
import { fail, startBackend } from './fail';
import { shardOf, sortedUnique, type Shard } from '../run/shard';
import { coloursFor, progressOn } from './terminal';
import { packageVersion } from '../foundation/version';

// `derivcheck [paths…]`: runs every scenario file found, renders the report in the asked
// format, and gives the exit code of DESIGN §4.

export interface CheckOptions {
  format: Format;
  backend: BackendChoice;
  trials?: number;
  seed?: number;
  /** only claims with these ids */
  claim?: string[];
  shard?: Shard;
  /** write the report here; stdout then gets the text report */
  output?: string;
}

export const DEFAULT_PATHS = ['scenarios'];

export async function runCheck(paths: readonly string[], options: CheckOptions): Promise<number> {
  const t0 = performance.now();
  const all = sortedUnique(findScenarioFiles(paths.length > 0 ? paths : DEFAULT_PATHS));
  if (all.length === 0) return fail(`no scenario files (*.json, or *.md with a derivcheck block) in ${(paths.length > 0 ? paths : DEFAULT_PATHS).join(', ')}`);
  const files = options.shard ? shardOf(all, options.shard) : all;

  const started = await startBackend(options.backend);
  if ('code' in started) return started.code;
  const { backend } = started;

  const progress = progressOn(process.stderr);
  let scenarios: ScenarioReport[];
  try {
    // with --claim, a valid file without any of the ids is left out of the report
    scenarios = runFiles(files, {
      ...(options.trials !== undefined ? { trials: options.trials } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.claim ? { claimIds: options.claim } : {}),
      onFile: (k, n, file) => progress.file(k, n, file),
      onCell: (cell, cells) => progress.cell(cell, cells),
      onTrial: (trial, trials) => progress.trial(trial, trials),
    });
  } finally {
    progress.done();
  }

  const report: RunReport = { tool: 'derivcheck', version: packageVersion(), backend, scenarios, elapsedMs: performance.now() - t0 };
  const colours = coloursFor(process.stdout);
  // the html page draws refuted and unmet claims' elements: their worst trials are run again
  let elements: ElementsIndex | undefined;
  if (options.format === 'html') {
    try {
      const { collectElements } = require('../report/html/collectElements') as typeof import('../report/html/collectElements');
      elements = collectElements(report, (k, n, what) => progress.file(k, n, `heat maps: ${what}`));
    } finally {
      progress.done();
    }
  }
  if (options.output) {
    try {
      writeFileSync(options.output, renderReport(options.format, report, coloursFor({ isTTY: false }, {}), elements));
    } catch (e) {
      return fail(`cannot write ${options.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    process.stdout.write(renderReport('text', report, colours));
  } else {
    process.stdout.write(renderReport(options.format, report, colours, elements));
  }

  // a claim asked for by id that is nowhere is a usage error; within one shard it may be in another
  const missing = options.claim && !options.shard ? missingClaims(options.claim, files, scenarios) : [];
  for (const message of missing) fail(message);
  return missing.length > 0 ? EXIT.invalid : exitCodeOf(summaryOf(report));
}
