import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCliBuilt, root, runCli } from '../support/cli';

// docs/article-verdicts.md is the output of `derivcheck scenarios/article --format markdown`
// (npm run docs:verdicts). It must not drift from what the command prints now. Only the backend
// named in the summary line may differ (CI runs the suite on wasm and on cpu).

const sameBackend = (text: string) => text.replace(/ on (wasm|cpu|tensorflow)$/m, ' on <backend>');

describe('docs/article-verdicts.md', () => {
  beforeAll(() => ensureCliBuilt(), 300_000);

  it('is what `derivcheck scenarios/article --format markdown` prints now (run `npm run docs:verdicts`)', async () => {
    const run = await runCli(['scenarios/article', '--format', 'markdown']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const committed = readFileSync(join(root, 'docs', 'article-verdicts.md'), 'utf8');
    expect(sameBackend(committed)).toBe(sameBackend(run.stdout));
    // issue 5: at least 20 claims, 8 holding and 6 refuted, every one meeting its expectation
    const verdicts = [...run.stdout.matchAll(/\| (✅|❌)[^|]*?(holds|refuted|disputed|vacuous|error)/g)].map((m) => `${m[1]} ${m[2]}`);
    const count = (v: string) => verdicts.filter((x) => x === v).length;
    expect({ claims: verdicts.length >= 20, holds: count('✅ holds') >= 8, refuted: count('✅ refuted') >= 6, unmet: verdicts.filter((v) => !v.startsWith('✅')) }).toEqual({
      claims: true,
      holds: true,
      refuted: true,
      unmet: [],
    });
  });

  it('scenarios/textbook: at least 20 claims, 8 holding, 6 refuted, every one met (exit 0)', async () => {
    const run = await runCli(['scenarios/textbook', '--format', 'markdown']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const verdicts = [...run.stdout.matchAll(/\| (✅|❌)[^|]*?(holds|refuted|disputed|vacuous|error)/g)].map((m) => `${m[1]} ${m[2]}`);
    const count = (v: string) => verdicts.filter((x) => x === v).length;
    expect({ claims: verdicts.length >= 20, holds: count('✅ holds') >= 8, refuted: count('✅ refuted') >= 6 }).toEqual({ claims: true, holds: true, refuted: true });
  });
});
