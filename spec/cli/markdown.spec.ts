import { join } from 'node:path';
import { JsonReport } from '../../src/report/jsonReport';
import { ensureCliBuilt, runCli } from '../support/cli';

// The command on Markdown derivations: named files and folders (which take only Markdown files
// with a derivcheck block), every report pointing at `notes.md:LINE`, and explain on a block.

const folder = join('spec', 'fixtures', 'markdown');
const derivation = join(folder, 'derivation.md');

beforeAll(ensureCliBuilt, 300_000);

describe('derivcheck on Markdown', () => {
  it('reports each scenario block as file:LINE, with its claims; exit 1 for the unmet one', async () => {
    const run = await runCli([derivation]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: '' });
    const heads = run.stdout.split('\n').filter((l) => /^\S/.test(l));
    expect(heads).toEqual([
      `${derivation}:23 — Markdown fixture: softmax outputs, 2-3 linear network`,
      `${derivation}:66 — Markdown fixture: half squared error, 2-2 linear network`,
      expect.stringMatching(/^4 claims in 2 files: 3 met, 1 unmet · derivcheck /),
    ]);
    expect(run.stdout).toMatch(/✗ output-error-without-label +refuted, expected holds +∂E\/∂net_k = o_k − 1\n +reference: refuted, .*worst element \[k=\d\]/);
  });

  it('searches a folder for Markdown files with a derivcheck block, and leaves the others out', async () => {
    const run = await runCli([folder, '--format', 'json', '--trials', '1']);
    expect(run.code).toBe(2);
    const report = JsonReport.parse(JSON.parse(run.stdout));
    expect(report.scenarios.map((s) => s.file)).toEqual([
      ...[23, 66].map((line) => `${derivation}:${line}`),
      ...[3, 9, 23, 45, 60, 75, 84].map((line) => `${join(folder, 'problems.md')}:${line}`),
    ]);
    const unknownSymbol = report.scenarios.find((s) => s.file.endsWith('problems.md:23'));
    expect(unknownSymbol?.problems).toEqual([{ path: 'claims[0].rhs', message: "unknown symbol 'W3' (did you mean 'W1'?) at character 0", line: 38, column: 12, detail: '  W3[0,0]\n  ^^' }]);
    expect(unknownSymbol?.error).toMatch(/^spec\/fixtures\/markdown\/problems\.md:38:12: claims\[0\]\.rhs: unknown symbol 'W3'/);
  });

  it('a Markdown file named on its own without a derivcheck block is invalid (exit 2)', async () => {
    const run = await runCli([join(folder, 'README.md')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`! ${join(folder, 'README.md')}: no derivcheck block`);
  });

  it('explain finds the block that has the claim, or takes the block as FILE:LINE', async () => {
    const [byFile, byBlock, ambiguous, noBlock] = await Promise.all([
      runCli(['explain', derivation, '--claim', 'output-error-without-label', '--rows', '3']),
      runCli(['explain', `${derivation}:66`, '--claim', 'output-error', '--rows', '3']),
      runCli(['explain', derivation, '--claim', 'output-error']),
      runCli(['explain', `${derivation}:24`, '--claim', 'output-error']),
    ]);
    expect({ code: byFile.code, head: byFile.stdout.split('\n')[0] }).toEqual({ code: 1, head: `${derivation}:23 › output-error-without-label` });
    expect({ code: byBlock.code, head: byBlock.stdout.split('\n')[0] }).toEqual({ code: 0, head: `${derivation}:66 › output-error` });
    expect({ code: ambiguous.code, stderr: ambiguous.stderr }).toEqual({
      code: 2,
      stderr: `derivcheck: the claim 'output-error' is in ${derivation}:23 and ${derivation}:66: name one, e.g. derivcheck explain ${derivation}:23 --claim output-error\n`,
    });
    expect({ code: noBlock.code, stderr: noBlock.stderr }).toEqual({
      code: 2,
      stderr: `derivcheck: ${derivation} has no derivcheck block at line 24; its blocks: ${derivation}:23, ${derivation}:66\n`,
    });
    expect([byFile.stderr, byBlock.stderr]).toEqual(['', '']);
  });
});
