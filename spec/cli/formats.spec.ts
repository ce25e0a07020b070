import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { JsonReport } from '../../src/report/jsonReport';
import { ensureCliBuilt, fixtures, runCli, type CliRun } from '../support/cli';

// Every report format from the real command over the CLI fixtures: two good files, one with an
// unmet claim, one invalid file (so every run exits 2 and reports all four).

const ESC = '\x1b[';
const args = [fixtures, '--trials', '2'];
let out: string;
const runs: Record<string, CliRun> = {};

beforeAll(async () => {
  ensureCliBuilt();
  out = mkdtempSync(join(tmpdir(), 'derivcheck-output-'));
  const asked: Record<string, [string[], Record<string, string>?]> = {
    json: [[...args, '--format', 'json']],
    jsonAgain: [[...args, '--format', 'json']],
    junit: [[...args, '--format', 'junit']],
    markdown: [[...args, '--format', 'markdown']],
    html: [[...args, '--format', 'html']],
    forced: [args, { FORCE_COLOR: '1' }],
    noColor: [args, { FORCE_COLOR: '1', NO_COLOR: '1' }],
    // with --output the report goes to the file and the text report to stdout
    text: [[...args, '--format', 'junit', '--output', join(out, 'report.xml')]],
  };
  // started together: each pays the start-up of node and tfjs
  await Promise.all(Object.entries(asked).map(async ([name, [a, env]]) => (runs[name] = await runCli(a, env))));
}, 300_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.each(['text', 'json', 'junit', 'markdown', 'html'])('--format %s', (format) => {
  it('exits 2 (an invalid file) and writes nothing on stderr when stderr is not a terminal', () => {
    expect(runs[format]).toMatchObject({ code: 2, stderr: '' });
  });
});

describe('text', () => {
  it('has one line per claim with its mark and verdict, one for the gradient agreement check of each file, the problems of the invalid file, and a summary line', () => {
    const lines = runs.text.stdout.split('\n');
    const claimLines = lines.filter((l) => /^ {2}[✓✗] /.test(l)).map((l) => l.trim().replace(/ {2,}/g, ' | '));
    const agrees = (symbols: string, elements: number) => `✓ gradient agreement | agrees, as expected | tfjs autodiff agrees with the float64 reference on ∂E/∂ of ${symbols}: ${elements} elements in 2 trials`;
    expect(claimLines).toEqual([
      '✓ output-delta | holds, as expected | ∂E/∂net_k = (o_k − y_k)/N',
      '✓ hidden-delta-without-phi-prime | refuted, as expected | δ_j = Σ_k w_jk δ_k (no φ′)',
      agrees('x, W1, b1, W2, b2, net1, a1, net2, a2, o', 120),
      '✓ outputs-sum-to-one | holds, as expected | Σ_k o_k = 1',
      '✓ unlabelled-error-is-o | holds, as expected | ∂E/∂net_k = o_k for the outputs without the label',
      agrees('x, W1, b1, net1, a1, o', 40),
      '✗ article-rule-expected-to-hold | refuted, expected holds | ∂E/∂net_k = o_k − 1 for every output k',
      '✓ corrected-rule | holds, as expected | ∂E/∂net_k = o_k − y_k',
      agrees('x, W1, b1, net1, a1, o', 34),
    ]);
    expect(runs.text.stdout).toContain('spec/fixtures/cli/invalid/unknown-loss.json — invalid scenario file, not run\n  ! spec/fixtures/cli/invalid/unknown-loss.json: model.loss.type: Invalid option');
    expect(runs.text.stdout).toMatch(/ {6}reference: refuted, refuted in 2 of 2 trials; worst element \[k=1\] in trial 0 \(seed 3\): lhs 0\.3198985, rhs -0\.6801015/);
    expect(lines.at(-2)).toMatch(/^6 claims in 4 files: 5 met, 1 unmet; 1 invalid file · derivcheck \d+\.\d+\.\d+ on \w+ · \d+\.\d s$/);
  });

  it('has no colour when stdout is not a terminal', () => {
    expect(runs.text.stdout).not.toContain(ESC);
  });

  it('is coloured with FORCE_COLOR, and NO_COLOR wins over it', () => {
    expect(runs.forced.stdout).toContain(`${ESC}32m✓${ESC}39m output-delta`);
    expect(runs.forced.stdout).toContain(`${ESC}31m✗${ESC}39m article-rule-expected-to-hold`);
    expect(runs.noColor.stdout).toBe(runs.text.stdout.replace(/\d+\.\d s\n$/, runs.noColor.stdout.match(/\d+\.\d s\n$/)![0]));
  });
});

describe('html', () => {
  it('is one page with every file: the invalid one with its problem, the unmet claim with its heat maps (spec/report/html has more)', () => {
    const html = runs.html.stdout;
    expect({
      page: html.startsWith('<!doctype html>'),
      invalid: html.includes('spec/fixtures/cli/invalid/unknown-loss.json: model.loss.type: Invalid option'),
      unmet: html.includes('article-rule-expected-to-hold: refuted, expected holds'),
      heatmaps: (html.match(/<svg class="heatmap"/g) ?? []).length,
    }).toEqual({ page: true, invalid: true, unmet: true, heatmaps: 2 * 2 * 3 });
  });
});

describe('json', () => {
  it('matches its zod schema (no field beyond it: no raw sides) and has the shape of DESIGN §4', () => {
    const parsed = JsonReport.safeParse(JSON.parse(runs.json.stdout));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    const report = parsed.data!;
    expect(report).toMatchObject({ tool: 'derivcheck', summary: { files: 4, claims: 6, met: 5, unmet: 1, invalidFiles: 1, agreementChecks: 3, agreementUnmet: 0 } });
    expect(['tensorflow', 'wasm', 'cpu']).toContain(report.backend);
    expect(report.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it("gives each world's worst element, tolerance and timing", () => {
    const report = JsonReport.parse(JSON.parse(runs.json.stdout));
    const claim = report.scenarios.flatMap((s) => s.claims).find((c) => c.id === 'article-rule-expected-to-hold')!;
    expect(claim).toMatchObject({ expect: 'holds', verdict: 'refuted', met: false, trials: 2 });
    expect(claim.worlds.reference).toMatchObject({
      outcome: 'refuted',
      tolerance: { rtol: 1e-7, atol: 1e-8 },
      trialsRefuted: 2,
      worst: { index: { k: 1 }, passes: false, trial: 0, seed: 3 },
    });
    expect(claim.worlds.tfjs).toMatchObject({ outcome: 'refuted', tolerance: { rtol: 1e-4, atol: 1e-5 }, worst: { index: { k: 1 } } });
    expect(claim.worlds.reference.worst!.difference).toBeCloseTo(1, 9);
    expect(claim.worlds.tfjs.elapsedMs).toBeGreaterThan(0);
  });

  it('gives each valid file its gradient agreement check, and the invalid one none', () => {
    const report = JsonReport.parse(JSON.parse(runs.json.stdout));
    const checks = report.scenarios.map((s) => s.agreement?.map((a) => ({ verdict: a.verdict, met: a.met, trials: a.trials, departing: a.departing, first: a.first, symbols: a.symbols.length })));
    const agrees = (symbols: number) => [{ verdict: 'agrees', met: true, trials: 2, departing: [], first: null, symbols }];
    expect(checks).toEqual([agrees(10), agrees(6), undefined, agrees(6)]);
  });

  it('differs between two runs only in the fields named for timing', () => {
    const withoutTimes = (text: string) => JSON.parse(text, (key, value: unknown) => (key === 'elapsedMs' ? undefined : value));
    expect(withoutTimes(runs.jsonAgain.stdout)).toEqual(withoutTimes(runs.json.stdout));
    expect(runs.jsonAgain.stdout).not.toBe(runs.json.stdout);
  });
});

describe('junit', () => {
  const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml);

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(runs.junit.stdout)).toBe(true);
  });

  it('has one testcase per claim, one per valid file for its gradient agreement check, one per invalid file, and counts that agree with them', () => {
    const suites = parse(runs.junit.stdout).testsuites;
    const cases = suites.testsuite.flatMap((s: { testcase: { name: string }[] }) => s.testcase);
    expect({ tests: suites.tests, failures: suites.failures, errors: suites.errors }).toEqual({ tests: '10', failures: '1', errors: '1' });
    expect(cases).toHaveLength(10);
    expect(cases.filter((c: { name: string }) => c.name === 'gradient agreement: tfjs autodiff against the float64 reference')).toHaveLength(3);
    for (const suite of suites.testsuite) {
      const failures = suite.testcase.filter((c: Record<string, unknown>) => c.failure).length;
      const errors = suite.testcase.filter((c: Record<string, unknown>) => c.error).length;
      expect({ name: suite.name, tests: Number(suite.tests), failures: Number(suite.failures), errors: Number(suite.errors) }).toEqual({ name: suite.name, tests: suite.testcase.length, failures, errors });
      expect(Number(suite.time)).toBeGreaterThanOrEqual(0);
    }
  });

  it('gives the unmet claim a failure with the message, and the invalid file an error', () => {
    const suites = parse(runs.junit.stdout).testsuites.testsuite;
    const failed = suites.flatMap((s: { testcase: Record<string, any>[] }) => s.testcase).filter((c: Record<string, unknown>) => c.failure || c.error);
    expect(failed.map((c: Record<string, any>) => [c.name, c.classname, c.failure?.message ?? c.error?.message])).toEqual([
      ['is a valid scenario file', 'spec.fixtures.cli.invalid.unknown-loss', 'invalid scenario file (1 problem)'],
      ['article-rule-expected-to-hold: ∂E/∂net_k = o_k − 1 for every output k', 'spec.fixtures.cli.unmet.wrong-expectation', 'refuted, expected holds'],
    ]);
    expect(failed[1].failure['#text']).toMatch(/^article-rule-expected-to-hold: verdict refuted, expected holds — NOT MET\n {2}says: /);
  });

  it('goes to a file with --output, while stdout gets the text report', () => {
    const written = readFileSync(join(out, 'report.xml'), 'utf8');
    const withoutTimes = (xml: string) => xml.replace(/ time="[\d.]+"/g, '');
    expect(withoutTimes(written)).toBe(withoutTimes(runs.junit.stdout));
    expect(XMLValidator.validate(written)).toBe(true);
    expect(parse(written).testsuites.tests).toBe('10');
    expect(runs.text.stdout).toMatch(/^6 claims in 4 files: 5 met, 1 unmet; 1 invalid file · /m);
  });
});

describe('markdown', () => {
  it('has a verdict table per file: claim, statement, verdict, worst element', () => {
    const md = runs.markdown.stdout;
    expect(md.match(/^\| Claim \| Statement \| Verdict \| Worst element \|$/gm)).toHaveLength(3);
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.map((r) => r.split(' | ').slice(0, 3).join(' | '))).toEqual([
      '| `output-delta` | ∂E/∂net\\_k = (o\\_k − y\\_k)/N | ✅ holds',
      '| `hidden-delta-without-phi-prime` | δ\\_j = Σ\\_k w\\_jk δ\\_k (no φ′) | ✅ refuted',
      '| `outputs-sum-to-one` | Σ\\_k o\\_k = 1 | ✅ holds',
      '| `unlabelled-error-is-o` | ∂E/∂net\\_k = o\\_k for the outputs without the label | ✅ holds',
      '| `article-rule-expected-to-hold` | ∂E/∂net\\_k = o\\_k − 1 for every output k | ❌ **refuted**, expected holds',
      '| `corrected-rule` | ∂E/∂net\\_k = o\\_k − y\\_k | ✅ holds',
    ]);
    expect(rows[4]).toMatch(/\| \\\[k=1\\\] in trial 0: lhs 0\.3198985, rhs -0\.6801015, difference 1 \|$/);
    expect(md).toContain('**spec/fixtures/cli/invalid/unknown-loss.json** — ❗ invalid scenario file, not run:');
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^6 claims in 4 files: 5 met, 1 unmet; 1 invalid file · derivcheck /);
    expect(md.match(/^✅ Gradient agreement \(tfjs autodiff against the float64 reference\): agrees, as expected: tfjs autodiff agrees with the float64 reference on ∂E\/∂ of /gm)).toHaveLength(3);
  });
});
