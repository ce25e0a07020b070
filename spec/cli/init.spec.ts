import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { STARTER_SCENARIO, STARTER_SPEC, starterSpec } from '../../src/cli/starterFiles';
import { ensureCliBuilt, root, runCli, shown } from '../support/cli';

// derivcheck init [dir]: a starter scenario whose claims meet their expectations, a jest spec
// that runs it, the test script set where there is none; and never a file written over.

let project: string;
const read = (file: string) => readFileSync(join(project, file), 'utf8');

beforeAll(() => {
  ensureCliBuilt();
  project = mkdtempSync(join(tmpdir(), 'derivcheck-init-'));
  // as `npm init` leaves it, indented by 4
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'mine', version: '1.0.0', scripts: { test: 'echo "Error: no test specified" && exit 1', build: 'tsc' } }, null, 4)}\n`);
}, 300_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('derivcheck init', () => {
  it('writes the starter scenario and spec, and sets the test script', async () => {
    const run = await runCli(['init'], {}, { cwd: project });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 0,
      stdout: [
        `wrote ${STARTER_SCENARIO}: a starter scenario, three claims (one refuted on purpose)`,
        `wrote ${STARTER_SPEC}: a jest spec, one test per claim of the files in derivations`,
        'set "test": "jest" in the scripts of package.json',
        // jest is not installed in the temporary folder
        'next: npm install --save-dev jest, then npm test',
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(read(STARTER_SPEC)).toBe(starterSpec());
    expect(read('package.json')).toBe(`${JSON.stringify({ name: 'mine', version: '1.0.0', scripts: { test: 'jest', build: 'tsc' } }, null, 4)}\n`);
    // the scenario's $schema leads to this package's JSON Schema, for an editor
    const schema = (JSON.parse(read(STARTER_SCENARIO)) as { $schema: string }).$schema;
    expect(resolve(project, dirname(STARTER_SCENARIO), schema)).toBe(join(root, 'schema', 'scenario.schema.json'));
  });

  it('the starter scenario is valid and its claims meet their expectations', async () => {
    const run = await runCli([join(project, 'derivations')]);
    expect({ code: run.code, summary: /^3 claims in 1 file: 3 met, 0 unmet/m.test(run.stdout) }).toEqual({ code: 0, summary: true });
    expect(run.stdout).toMatch(/✓ output-error-one-path +refuted, as expected/);
  });

  it('writes nothing over a file that is there, and exits 2', async () => {
    writeFileSync(join(project, STARTER_SCENARIO), 'mine\n');
    const before = read(STARTER_SPEC);
    const run = await runCli(['init'], {}, { cwd: project });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr: `derivcheck: ${STARTER_SCENARIO} and ${STARTER_SPEC} are there already; init writes nothing over a file (init another folder: derivcheck init DIR)\n`,
    });
    expect([read(STARTER_SCENARIO), read(STARTER_SPEC)]).toEqual(['mine\n', before]);
  });

  it('in a folder of a project whose test script is its own, keeps that script and says so', async () => {
    const other = join(project, 'other');
    mkdirSync(join(other, 'test'), { recursive: true });
    writeFileSync(join(other, 'package.json'), '{ "name": "other", "scripts": { "test": "vitest run" } }\n');
    const run = await runCli(['init', 'test'], {}, { cwd: other });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[2]).toBe('kept the test script of package.json (vitest run): it should run jest');
    expect(readFileSync(join(other, 'package.json'), 'utf8')).toBe('{ "name": "other", "scripts": { "test": "vitest run" } }\n');
    expect([STARTER_SCENARIO, STARTER_SPEC].map((f) => existsSync(join(other, 'test', f)))).toEqual([true, true]);
    expect(shown(run)).toContain(`wrote ${join('test', STARTER_SCENARIO)}`);
  });
});
