import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runScenarioFile, type ScenarioReport } from '../../src/run/runFile';
import { findScenarioFiles } from '../../src/load/findScenarioFiles';
import { formatProblem } from '../../src/foundation/problem';
import { useSpecBackend } from '../support/backend';

// The runtime half of the corpus: valid files whose claims cannot be judged while running. Each
// claim fails with a message naming the world, the trial and the element; none holds, none throws.
// (The load-time half, spec/fixtures/broken, is tabled in spec/scenario/brokenScenarios.spec.ts.)

const fixtures = join(__dirname, '..', 'fixtures');
const runtime = join(fixtures, 'runtime');
const broken = join(fixtures, 'broken');
const shipped = join(__dirname, '..', '..', 'scenarios');

useSpecBackend();

/** file → [claim id, verdict, message] for each claim */
const runtimeFiles: [string, [string, string, string][]][] = [
  ['where-selects-nothing.json', [['no-element', 'error', 'reference world: trial 0 (seed 3): where selects no element']]],
  ['log-of-negative.json', [['log-negative', 'error', 'reference world: trial 0 (seed 3): lhs is NaN at [0,0]']]],
  ['division-by-zero.json', [['divide-by-zero', 'error', 'reference world: trial 0 (seed 3): lhs is Infinity at [0,0]']]],
  // finite in float64, Infinity in float32: one world is enough to make it an error
  ['float32-overflow.json', [['float32-overflow', 'error', 'tfjs world: trial 0 (seed 3): lhs is Infinity at [0,0]']]],
];

const claimsOf = (report: ScenarioReport) => report.claims.map((c) => [c.id, c.verdict, c.message ?? '']);

describe('runtime problems fail the claim with a message', () => {
  it('has one row in the table for every file in spec/fixtures/runtime', () => {
    const onDisk = readdirSync(runtime).filter((f) => f.endsWith('.json')).sort();
    expect(onDisk).toEqual(runtimeFiles.map(([file]) => file).sort());
  });

  it.each(runtimeFiles)('%s', (file, expected) => {
    const report = runScenarioFile(join(runtime, file));
    expect({ problems: report.problems?.map(formatProblem), claims: claimsOf(report) }).toEqual({ problems: undefined, claims: expected });
    for (const claim of report.claims) {
      const worlds = [claim.worlds.reference.outcome, claim.worlds.tfjs.outcome];
      expect({ id: claim.id, met: claim.met, anyWorldError: worlds.includes('error') }).toEqual({ id: claim.id, met: false, anyWorldError: true });
    }
  });
});

describe('broken files through runScenarioFile', () => {
  const files = readdirSync(broken).filter((f) => f.endsWith('.json')).sort();

  it.each(files)('%s is reported with one problem, nothing run', (file) => {
    const report = runScenarioFile(join(broken, file));
    const lines = (report.problems ?? []).map(formatProblem);
    expect({ file, lines: lines.length, claims: report.claims.length }).toEqual({ file, lines: 1, claims: 0 });
    // one line, and no stack trace in it
    expect(lines[0]).not.toMatch(/\n|\s+at .*\(.*:\d+:\d+\)/);
    expect(lines[0].startsWith(join(broken, file))).toBe(true);
  });
});

describe('bad files among good ones', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'derivcheck-corpus-'));
    for (const file of ['formula-unknown-symbol-near-miss.json', 'empty-file.json']) copyFileSync(join(broken, file), join(folder, `bad-${file}`));
    copyFileSync(join(runtime, 'log-of-negative.json'), join(folder, 'runtime-log.json'));
    copyFileSync(join(shipped, 'article', 'demo-label0.json'), join(folder, 'z-good.json'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('every file is reported, and the good one still runs', () => {
    const outcomes = findScenarioFiles([folder]).map((file) => {
      const report = runScenarioFile(file, { trials: 1 });
      return {
        file: basename(file),
        invalid: report.problems !== undefined,
        verdicts: [...new Set(report.claims.map((c) => (c.verdict === 'error' ? 'error' : 'judged')))],
      };
    });
    expect(outcomes).toEqual([
      { file: 'bad-empty-file.json', invalid: true, verdicts: [] },
      { file: 'bad-formula-unknown-symbol-near-miss.json', invalid: true, verdicts: [] },
      { file: 'runtime-log.json', invalid: false, verdicts: ['error'] },
      { file: 'z-good.json', invalid: false, verdicts: ['judged'] },
    ]);
  });
});
