import { join } from 'node:path';
import { JsonReport } from '../../src/report/jsonReport';
import { ensureCliBuilt, fixtures, runCli } from '../support/cli';

// The exit codes of DESIGN §4, from the real command on real files: 0 when every claim meets its
// expectation, 1 when one does not, 2 when a file is invalid (the others still run) or on bad usage.

const good = join(fixtures, 'good');
const unmet = join(fixtures, 'unmet');
const invalid = join(fixtures, 'invalid');

beforeAll(ensureCliBuilt, 300_000);

describe('derivcheck exit codes', () => {
  it('is 0 when every claim meets its expectation', async () => {
    const run = await runCli([good]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^4 claims in 2 files: 4 met, 0 unmet · /m);
  });

  it('is 1 when a claim does not meet its expectation, and names it', async () => {
    const run = await runCli([good, unmet]);
    expect(run).toMatchObject({ code: 1 });
    expect(run.stdout).toMatch(/✗ article-rule-expected-to-hold +refuted, expected holds/);
    expect(run.stdout).toMatch(/^6 claims in 3 files: 5 met, 1 unmet · /m);
  });

  it('is 2 when a file is invalid, even beside an unmet claim; the other files still run and are reported', async () => {
    const run = await runCli([good, invalid, unmet, join(fixtures, 'no-such-file.json'), '--format', 'json']);
    expect(run).toMatchObject({ code: 2 });
    const report = JsonReport.parse(JSON.parse(run.stdout));
    expect(report.summary).toEqual({ files: 5, claims: 6, met: 5, unmet: 1, invalidFiles: 2, agreementChecks: 3, agreementUnmet: 0 });
    const bad = report.scenarios.find((s) => s.file.endsWith('unknown-loss.json'));
    expect(bad).toMatchObject({ claims: [], problems: [{ path: 'model.loss.type' }] });
    expect(bad?.error).toMatch(/unknown-loss\.json: model\.loss\.type: Invalid option/);
    // a path that is not there is an invalid file too
    expect(report.scenarios.find((s) => s.file.endsWith('no-such-file.json'))).toMatchObject({ claims: [], error: expect.stringMatching(/no-such-file\.json: cannot read: ENOENT$/) });
    expect(report.scenarios.filter((s) => !s.error).map((s) => s.claims.length)).toEqual([2, 2, 2]);
  });

  it('runs only the claims --claim names (repeatable), and leaves out files without them', async () => {
    const run = await runCli([good, unmet, '--claim', 'corrected-rule', '--claim', 'output-delta', '--format', 'json', '--trials', '1']);
    expect(run).toMatchObject({ code: 0 });
    const report = JsonReport.parse(JSON.parse(run.stdout));
    expect(report.scenarios.map((s) => [s.file.split('/').pop(), s.claims.map((c) => [c.id, c.trials])])).toEqual([
      ['delta-rule.json', [['output-delta', 1]]],
      ['wrong-expectation.json', [['corrected-rule', 1]]],
    ]);
  });

  it('is 2 when --claim matches no claim in any file, with a suggestion', async () => {
    const run = await runCli([good, '--claim', 'output-delt']);
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toBe("derivcheck: no claim has the id 'output-delt' in the 2 files checked (did you mean 'output-delta'?)\n");
  });

  it('is 2 when no scenario file is found', async () => {
    const run = await runCli([join(fixtures, 'good', 'no-such-folder')]);
    expect(run).toMatchObject({ code: 2 });
  });

  const usage: [string[], string][] = [
    [['--bogus', good], "error: unknown option '--bogus'"],
    [['--format', 'xml', good], "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json, junit, markdown, html."],
    [['--backend', 'gpu', good], "error: option '--backend <name>' argument 'gpu' is invalid. Allowed choices are auto, tensorflow, wasm, cpu."],
    [['--trials', '0', good], "error: option '--trials <n>' argument '0' is invalid. --trials must be a whole number from 1 to 1000."],
    [['--trials', '2.5', good], "error: option '--trials <n>' argument '2.5' is invalid. --trials must be a whole number from 1 to 1000."],
    [['--seed', '-1', good], "error: option '--seed <s>' argument '-1' is invalid. --seed must be a whole number from 0 to 2147483647."],
    [['--shard', '4/3', good], "error: option '--shard <i/n>' argument '4/3' is invalid. the shard index i must be between 1 and 3."],
    [['--shard', 'half', good], "error: option '--shard <i/n>' argument 'half' is invalid. expected i/n, like 1/3."],
    [['explain', join(good, 'delta-rule.json')], "error: required option '--claim <id>' not specified"],
  ];
  // usage errors stop before any scenario runs: started together, they cost one start-up
  let usageRuns: Map<string, Awaited<ReturnType<typeof runCli>>>;
  beforeAll(async () => {
    usageRuns = new Map(await Promise.all(usage.map(async ([args]) => [args.join(' '), await runCli(args)] as const)));
    usageRuns.set('DERIVCHECK_BACKEND=gpu', await runCli([good], { DERIVCHECK_BACKEND: 'gpu' }));
  });

  it.each(usage)('is 2 on bad usage: %j', (args, message) => {
    const run = usageRuns.get(args.join(' '))!;
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr.split('\n')[0]).toBe(message);
    expect(run.stderr).toContain('(derivcheck --help shows the usage)');
  });

  it('is 2 when DERIVCHECK_BACKEND names no backend', () => {
    const run = usageRuns.get('DERIVCHECK_BACKEND=gpu')!;
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr.split('\n')[0]).toBe("error: option '--backend <name>' value 'gpu' from env 'DERIVCHECK_BACKEND' is invalid. Allowed choices are auto, tensorflow, wasm, cpu.");
  });
});
