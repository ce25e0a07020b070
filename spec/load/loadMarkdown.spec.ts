import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { scenarioSourcesOf } from '../../src/run/runFile';
import { formatProblemLong } from '../../src/foundation/problem';
import type { ScenarioSource } from '../../src/load/scenarioSource';

// Markdown derivations (DESIGN §7): each derivcheck block is a scenario named `file:LINE`, the
// claim blocks under it are its claims, and every problem points at the line (and column) of
// the file where the offending value is.

const root = join(__dirname, '..', '..');
const fixtures = join('spec', 'fixtures', 'markdown');
const sources = (name: string) => scenarioSourcesOf(join(root, fixtures, name));
const shown = (s: ScenarioSource) => ({
  name: relative(root, s.loaded.file),
  ...(s.loaded.ok ? { claims: s.loaded.scenario.claims.map((c) => c.id), claimLines: s.claimLines } : { problems: s.loaded.problems.map((p) => formatProblemLong({ ...p, file: relative(root, p.file) })) }),
});

describe('a Markdown derivation', () => {
  it('gives one scenario per derivcheck block, with the claim blocks under it, named by the line of its fence', () => {
    expect(sources('derivation.md').map(shown)).toEqual([
      { name: `${fixtures}/derivation.md:23`, claims: ['outputs-sum-to-one', 'output-error', 'output-error-without-label'], claimLines: [35, 43, 55] },
      { name: `${fixtures}/derivation.md:66`, claims: ['output-error'], claimLines: [72] },
    ]);
  });

  it('each claim line is where that claim opens: its `{`, then its id', () => {
    const lines = readFileSync(join(root, fixtures, 'derivation.md'), 'utf8').split('\n');
    const opened = sources('derivation.md').flatMap((source) =>
      source.loaded.ok ? source.loaded.scenario.claims.map((claim, i) => ({ id: claim.id, text: lines.slice(source.claimLines[i] - 1, source.claimLines[i] + 1).join('\n') })) : [],
    );
    for (const { id, text } of opened) expect({ id, text }).toEqual({ id, text: expect.stringMatching(new RegExp(`^[ >]*\\{\\s*"id": "${id}"`)) });
  });

  it('points every problem at its line and column', () => {
    const at = `${fixtures}/problems.md`;
    expect(sources('problems.md').map(shown)).toEqual([
      { name: `${at}:3`, problems: [`${at}:3:1: a derivcheck-claim block belongs to the derivcheck scenario block above it, and there is none`] },
      { name: `${at}:9`, problems: [`${at}:12:49: model.layers[0].units: Too small: expected number to be >=1`] },
      { name: `${at}:23`, problems: [`${at}:38:12: claims[0].rhs: unknown symbol 'W3' (did you mean 'W1'?) at character 0\n      W3[0,0]\n      ^^`] },
      { name: `${at}:45`, problems: [`${at}:54:3: claims[0].expect: Invalid option: expected one of "holds"|"refuted"|"disputed"|"at-kink"`] },
      { name: `${at}:60`, problems: [`${at}:70:9: claims[1].id: duplicate claim id 'same' (first at claims[0])`] },
      { name: `${at}:75`, problems: [`${at}:79:1: invalid JSON: Expected double-quoted property name`] },
      { name: `${at}:84`, problems: [`${at}:93:38: invalid JSON: Expected ',' or '}' after property value`] },
    ]);
  });

  it('the place of a problem holds what it names', () => {
    const lines = readFileSync(join(root, fixtures, 'problems.md'), 'utf8').split('\n');
    const textAt = (line: number, column: number) => lines[line - 1].slice(column - 1);
    const problems = sources('problems.md').flatMap((s) => (s.loaded.ok ? [] : s.loaded.problems));
    const starts = problems.map((p) => ({ path: p.path.join('.'), text: textAt(p.line!, p.column!).slice(0, 12) }));
    expect(starts).toEqual([
      { path: '', text: '```derivchec' },
      { path: 'model.layers.0.units', text: '0 }], "loss"' },
      { path: 'claims.0.rhs', text: '"W3[0,0]",' },
      { path: 'claims.0.expect', text: '{ "id": "mis' },
      { path: 'claims.1.id', text: '"same", "say' },
      { path: '', text: '}' },
      { path: '', text: '"rhs": "E", ' },
    ]);
  });

  it('a Markdown file without a derivcheck block is one problem', () => {
    expect(sources('README.md').map(shown)).toEqual([
      { name: `${fixtures}/README.md`, problems: [`${fixtures}/README.md: no derivcheck block: a scenario in Markdown is a fenced block with the info string derivcheck`] },
    ]);
  });

  it('a file that is not there is one problem', () => {
    expect(sources('missing.md').map(shown)).toEqual([{ name: `${fixtures}/missing.md`, problems: [`${fixtures}/missing.md: cannot read: ENOENT`] }]);
  });
});
