import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCliBuilt, root, runCli } from '../support/cli';

// docs/article-verdicts.md is the output of `derivcheck scenarios/article --format markdown`
// (npm run docs:verdicts). It must not drift from what the command prints now. Only the backend
// named in the summary line may differ (CI runs the suite on wasm and on cpu).
// Issue 5 also asks each folder for at least 20 claims, 8 holding and 6 refuted, all met.

const sameBackend = (text: string) => text.replace(/ on (wasm|cpu|tensorflow)$/m, ' on <backend>');

/** The verdict cells of a markdown report: "✅ holds", "❌ refuted", … */
function verdictCells(markdown: string): string[] {
  return [...markdown.matchAll(/\| (✅|❌)[^|]*?(holds|refuted|disputed|vacuous|error)/g)].map((m) => `${m[1]} ${m[2]}`);
}

function counts(markdown: string) {
  const cells = verdictCells(markdown);
  const count = (v: string) => cells.filter((x) => x === v).length;
  return { claims: cells.length >= 20, holds: count('✅ holds') >= 8, refuted: count('✅ refuted') >= 6, unmet: cells.filter((v) => !v.startsWith('✅')) };
}

const enough = { claims: true, holds: true, refuted: true, unmet: [] };

describe('verdict tables', () => {
  beforeAll(() => ensureCliBuilt(), 300_000);

  it('docs/article-verdicts.md is what `derivcheck scenarios/article --format markdown` prints now (run `npm run docs:verdicts`)', async () => {
    const run = await runCli(['scenarios/article', '--format', 'markdown']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const committed = readFileSync(join(root, 'docs', 'article-verdicts.md'), 'utf8');
    expect(sameBackend(committed)).toBe(sameBackend(run.stdout));
    expect(counts(run.stdout)).toEqual(enough);
  });

  it('scenarios/textbook: at least 20 claims, 8 holding, 6 refuted, every one met (exit 0)', async () => {
    const run = await runCli(['scenarios/textbook', '--format', 'markdown']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(counts(run.stdout)).toEqual(enough);
  });
});
