import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarioJsonSchemaText } from '../../src/load/jsonSchema';
import { bin, ensureCliBuilt, fixtures, root, runCli, type CliRun } from '../support/cli';

// explain, schema, --help and --version, and the hint of a bin without its build.

const unmet = join(fixtures, 'unmet', 'wrong-expectation.json');
const delta = join(fixtures, 'good', 'delta-rule.json');
const cannotJudge = join('spec', 'fixtures', 'cli-explain', 'cannot-judge.json');

beforeAll(ensureCliBuilt, 300_000);

/** The table rows of one world's section: mark, then the cells. */
function tableRows(stdout: string, world: 'reference' | 'tfjs'): string[][] {
  const section = stdout.split(/\n\n/).find((s) => s.startsWith(`${world} world`))!;
  return section
    .split('\n')
    .filter((l) => /^ {2}[✓✗] /.test(l))
    .map((l) => l.trim().split(/\s+/));
}

describe('derivcheck explain', () => {
  let runs: Record<string, CliRun>;
  beforeAll(async () => {
    const asked: Record<string, string[]> = {
      unmet: ['explain', unmet, '--claim', 'article-rule-expected-to-hold', '--rows', '1'],
      delta: ['explain', delta, '--claim', 'hidden-delta-without-phi-prime', '--trials', '1'],
      met: ['explain', delta, '--claim', 'output-delta', '--trials', '1', '--rows', '3'],
      unknown: ['explain', delta, '--claim', 'output-delt'],
      invalid: ['explain', join(fixtures, 'invalid', 'unknown-loss.json'), '--claim', 'x'],
      nan: ['explain', cannotJudge, '--claim', 'log-of-negative'],
      nothing: ['explain', cannotJudge, '--claim', 'where-selects-nothing'],
    };
    runs = Object.fromEntries(await Promise.all(Object.entries(asked).map(async ([name, args]) => [name, await runCli(args)] as const)));
  }, 300_000);

  it('shows the claim, its verdict and the trial shown; exits 1 for an unmet claim', () => {
    expect(runs.unmet).toMatchObject({ code: 1, stderr: '' });
    expect(runs.unmet.stdout.split('\n').slice(0, 7)).toEqual([
      `${unmet} › article-rule-expected-to-hold`,
      '  says:    ∂E/∂net_k = o_k − 1 for every output k',
      '  claim:   grad(E, net1)[0,k] == o[0,k] - 1',
      '  verdict: refuted, expected holds',
      '  note:    wrong on purpose: the rule holds only for the labelled output',
      "  shown:   trial 0 (seed 3), the trial of the reference world's worst element",
      '',
    ]);
  });

  it('gives the element table in both worlds, worst first, capped with a count of the rest', () => {
    for (const world of ['reference', 'tfjs'] as const) {
      expect(tableRows(runs.unmet.stdout, world)).toEqual([['✗', '1', '0.3198985', '-0.6801015', '1', expect.any(String), 'no']]);
    }
    expect(runs.unmet.stdout).toContain('reference world (float64): refuted in 2 of 2 trials\n  in this trial: 2 elements, 1 failing; rtol 1e-7, atol 1e-8 × scale ');
    expect(runs.unmet.stdout).toContain('    k        lhs         rhs  lhs − rhs    allowed  within tolerance\n');
    expect(runs.unmet.stdout.match(/ {4}… and 1 more element \(0 of them failing\)/g)).toHaveLength(2);
  });

  it('sorts every element of a refuted claim by how far it is past the tolerance', () => {
    expect(runs.delta).toMatchObject({ code: 0 });
    for (const world of ['reference', 'tfjs'] as const) {
      const rows = tableRows(runs.delta.stdout, world);
      expect(rows.map((r) => r.slice(1, 3).join(','))).toHaveLength(8); // n × j = 2 × 4
      const ratios = rows.map((r) => Math.abs(Number(r[5])) / Number(r[6]));
      expect(ratios).toEqual([...ratios].sort((a, b) => b - a));
    }
  });

  it('shows the closest elements first for a claim that holds, and exits 0', () => {
    expect(runs.met).toMatchObject({ code: 0 });
    expect(runs.met.stdout).toContain('  verdict: holds, as expected\n');
    expect(tableRows(runs.met.stdout, 'reference').map((r) => r[0] + r.at(-1))).toEqual(['✓yes', '✓yes', '✓yes']);
    expect(runs.met.stdout).toContain('… and 1 more element (0 of them failing)');
  });

  it('is 2 for a claim the file does not have, with a suggestion and the ids it has', () => {
    expect(runs.unknown).toMatchObject({ code: 2, stdout: '' });
    expect(runs.unknown.stderr).toBe(`derivcheck: ${delta} has no claim 'output-delt' (did you mean 'output-delta'?); its claims: output-delta, hidden-delta-without-phi-prime\n`);
  });

  it('marks values that are not finite as failing, whatever the relation, and exits 1 for the error verdict', () => {
    expect(runs.nan).toMatchObject({ code: 1, stderr: '' });
    expect(runs.nan.stdout).toContain('  verdict: error, expected holds\n');
    for (const world of ['reference', 'tfjs'] as const) {
      expect(tableRows(runs.nan.stdout, world).map((r) => `${r[0]} ${r[3]} ${r.at(-1)}`)).toEqual(['✗ NaN no', '✗ NaN no', '✗ NaN no', '✗ NaN no']);
    }
  });

  it('leaves an element at a kink out of both tables and says so', async () => {
    const run = await runCli(['explain', join('scenarios', 'variants', 'relu-kink.json'), '--claim', 'delta-rule-at-kink']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    for (const world of ['reference', 'tfjs'] as const) {
      expect({ world, rows: tableRows(run.stdout, world).map((r) => `${r[0]} ${r[1]}`) }).toEqual({ world, rows: ['✓ 1'] });
    }
    expect(run.stdout.match(/in this trial: 2 elements, 0 failing, 1 at a kink \(not judged\)/g)).toHaveLength(2);
  });

  it('says why there is no table when no world judged an element', () => {
    expect(runs.nothing).toMatchObject({ code: 1 });
    expect(runs.nothing.stdout).toContain('No element table: neither world judged any element.\n  reference: error: trial 0 (seed 3): where selects no element\n');
  });

  it('is 2 for an invalid file, with its problems', () => {
    expect(runs.invalid).toMatchObject({ code: 2, stdout: '' });
    expect(runs.invalid.stderr).toMatch(/^derivcheck: .*unknown-loss\.json is not a valid scenario file:\n.*unknown-loss\.json: model\.loss\.type: Invalid option/);
  });
});

describe('derivcheck schema, --help, --version', () => {
  it('schema prints the JSON Schema of scenario files', async () => {
    const run = await runCli(['schema']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(scenarioJsonSchemaText());
  });

  it('--version prints the package version', async () => {
    const run = await runCli(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`, stderr: '' });
  });

  it('--help names every option, the commands and the exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    for (const word of ['--format <format>', '--backend <name>', '--trials <n>', '--seed <s>', '--claim <id>', '--shard <i/n>', '--output <file>', '--help', '--version', 'explain', 'schema', 'Exit codes:', 'DERIVCHECK_BACKEND']) {
      expect({ word, found: run.stdout.includes(word) }).toEqual({ word, found: true });
    }
  });

  it('explain --help names its options', async () => {
    const run = await runCli(['explain', '--help']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^Usage: derivcheck explain \[options\] <file>/);
    for (const word of ['--claim <id>', '--rows <n>', '--backend <name>', '--trials <n>', '--seed <s>']) expect({ word, found: run.stdout.includes(word) }).toEqual({ word, found: true });
  });

  it('the bin says to build when dist/ is missing, and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'derivcheck-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(bin, join(dir, 'bin', 'derivcheck.js'));
      const run = await runCli(['--version'], {}, { bin: join(dir, 'bin', 'derivcheck.js') });
      expect(run).toEqual({ code: 2, stdout: '', stderr: `derivcheck: ${join(dir, 'dist', 'cli', 'main.js')} is missing: run npm run build\n` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
