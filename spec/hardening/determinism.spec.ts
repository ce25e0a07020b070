import { join, relative } from 'node:path';
import { runScenariosOfFile, type ScenarioReport } from '../../src/run/runFile';
import { findScenarioFiles } from '../../src/load/findScenarioFiles';
import { useSpecBackend } from '../support/backend';

// Two runs over the same files give the same report, once the fields that hold timings (their
// names say so: elapsedMs, …) are left out. Random values come from the seed, never from the clock.

const root = join(__dirname, '..', '..');
const files = findScenarioFiles([join(root, 'scenarios'), join(root, 'spec', 'fixtures')]);
// case matters: 'claims' ends in 'ms' but holds no time
const isTiming = (key: string) => /[eE]lapsed|Ms$|[tT]ime/.test(key);

useSpecBackend();

/** The report as JSON text without timing fields; the names of the fields it left out. */
function withoutTimings(reports: ScenarioReport[]): { json: string; dropped: string[] } {
  const dropped = new Set<string>();
  const json = JSON.stringify(
    reports.map((r) => ({ ...r, file: relative(root, r.file) })),
    (key, value: unknown) => {
      if (isTiming(key)) {
        dropped.add(key);
        return undefined;
      }
      // JSON would print NaN and ±Infinity as null: keep them apart
      return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
    },
    1,
  );
  return { json, dropped: [...dropped].sort() };
}

describe('two runs give the same report', () => {
  // one trial per file keeps the suite quick; trial seeds are covered by spec/scenario/trialValues.spec.ts
  const run = () => withoutTimings(files.flatMap((file) => runScenariosOfFile(file, { trials: 1 })));

  it(`over ${files.length} files (shipped scenarios and fixtures)`, () => {
    const first = run();
    const second = run();
    expect(first.dropped).toEqual(['elapsedMs']);
    // a line diff is the readable form of a difference
    expect(second.json.split('\n')).toEqual(first.json.split('\n'));
  });
});
