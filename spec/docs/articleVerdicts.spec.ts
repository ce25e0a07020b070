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
  });
});
