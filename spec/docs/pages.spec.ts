import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ensureCliBuilt, root, runCli } from '../support/cli';

// The README and the pages under docs/ link to each other: every relative link leads to a file
// that is there, and to a heading that is there. The command's help in docs/command.md is the
// command's own.

const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f)), join('examples', 'backpropagation.md')];
const text = (page: string) => readFileSync(join(root, page), 'utf8');
/** Prose only: links inside fenced code are not links. */
const prose = (page: string) => text(page).replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (page: string) => new Set([...prose(page).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1])));

describe('the documentation pages', () => {
  const links = pages.flatMap((page) =>
    [...prose(page).matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith('../shared/') && !target.startsWith('../../shared/'))
      .map((target) => ({ page, target })),
  );

  it('have links to check', () => {
    expect(links.length).toBeGreaterThan(20);
  });

  it.each(links.map(({ page, target }) => [page, target]))('%s → %s', (page, target) => {
    const [file, anchor] = target.split('#');
    const path = file === '' ? page : relative(root, join(root, dirname(page), file));
    expect({ target, exists: existsSync(join(root, path)) }).toEqual({ target, exists: true });
    if (anchor !== undefined && path.endsWith('.md')) expect({ target, anchors: [...anchorsOf(path)].includes(anchor) ? anchor : [...anchorsOf(path)] }).toEqual({ target, anchors: anchor });
  });
});

describe('docs/command.md', () => {
  beforeAll(ensureCliBuilt, 300_000);

  it('shows the help the command prints', async () => {
    const shown = /```text\n\$ npx derivcheck --help\n([\s\S]*?)```\n/.exec(text(join('docs', 'command.md')));
    const run = await runCli(['--help']);
    expect(shown?.[1]).toBe(run.stdout);
  });
});
