import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, root, runProcess, shown, type CliRun } from '../support/cli';

// What a new user does, on the package as npm packs it: install the tarball into an empty
// project (the npm registry supplies the rest), write a JSON scenario, a Markdown derivation
// and a jest spec there, and check them through the API (CommonJS and ES modules), the
// installed command and jest; then `derivcheck init` and `npm test`, the README's two commands.
// It takes about two minutes, most of it the two installs, with npm's cache warm (it is, after
// the repository's own `npm ci`); the timeouts allow far more.

const INSTALL_TIMEOUT_MS = 15 * 60_000;
const RUN_TIMEOUT_MS = 5 * 60_000;

// npm's variables of the `npm test` that runs this spec must not steer the project's own npm
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'));
env.NO_COLOR = '1';

const run = (command: string, args: readonly string[], cwd: string): Promise<CliRun> => runProcess(command, args, { cwd, env });

/** A run that must succeed; its output otherwise. */
async function ok(command: string, args: readonly string[], cwd: string): Promise<CliRun> {
  const r = await run(command, args, cwd);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd}\n${shown(r)}`);
  return r;
}

const ownPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };

// the user's derivations: in each, one claim that meets its expectation and one that does not
const SCENARIO = {
  title: 'Softmax error terms on a 2-3 linear network',
  seed: 3,
  trials: 2,
  model: { inputs: 2, layers: [{ units: 3, activation: 'linear' }], loss: { type: 'softmax-cross-entropy' } },
  data: { batch: 1, labels: [1] },
  claims: [
    { id: 'error-met', says: '∂E/∂net_k = o_k − y_k', lhs: 'grad(E, net1)[0,k]', rhs: 'o[0,k] - y[0,k]', expect: 'holds' },
    { id: 'error-unmet', says: '∂E/∂net_k = o_k − 1', lhs: 'grad(E, net1)[0,k]', rhs: 'o[0,k] - 1', expect: 'holds' },
  ],
};
const NOTES = `# Half squared error

The network: two inputs, two linear outputs, loss ½ Σ (a − t)².

\`\`\`derivcheck
{
  "title": "Half squared error on a 2-2 linear network",
  "seed": 5,
  "model": { "inputs": 2, "layers": [{ "units": 2, "activation": "linear" }], "loss": { "type": "mse", "reduction": "sum", "half": true } },
  "data": { "batch": 1, "targets": { "uniform": [0, 1] } }
}
\`\`\`

The ½ cancels the 2 of the square:

\`\`\`derivcheck-claim
{ "id": "half-met", "says": "∂E/∂a_k = a_k − t_k", "lhs": "grad(E, a1)[0,k]", "rhs": "a1[0,k] - y[0,k]", "expect": "holds" }
\`\`\`

and a step that forgets it:

\`\`\`derivcheck-claim
{ "id": "half-unmet", "says": "∂E/∂a_k = 2(a_k − t_k)", "lhs": "grad(E, a1)[0,k]", "rhs": "2 * (a1[0,k] - y[0,k])", "expect": "holds" }
\`\`\`
`;
// the lines of the Markdown's scenario fence and of its unmet claim's value
const NOTES_LINES = { scenario: 5, unmet: 23 };

const API_CJS = `const { check, checkScenario } = require('derivcheck');
const scenario = require('./mine/softmax.json');
(async () => {
  const files = await check(['mine']);
  const object = await checkScenario(scenario, { claims: ['error-met'] });
  console.log(JSON.stringify({ files, object }));
})().catch((e) => { console.error(e); process.exit(3); });
`;
const API_MJS = `import { readFileSync } from 'node:fs';
import { check, checkScenario } from 'derivcheck';
const scenario = JSON.parse(readFileSync('mine/softmax.json', 'utf8'));
const files = await check(['mine']);
const object = await checkScenario(scenario, { claims: ['error-met'] });
console.log(JSON.stringify({ files, object }));
`;
const SPEC = `const { scenarioTests } = require('derivcheck/jest');
scenarioTests('mine');
`;
// the declarations as a TypeScript user meets them; a wrong type must be an error
const TYPES_TS = `import { check, checkScenario, type JsonReport } from 'derivcheck';
import { scenarioTests, type ScenarioTestsOptions } from 'derivcheck/jest';

export async function unmet(): Promise<number> {
  const report: JsonReport = await check(['mine'], { trials: 1, backend: 'wasm' });
  const worst: number | string | undefined = report.scenarios[0].claims[0].worlds.reference.worst?.difference;
  const options: ScenarioTestsOptions = { claims: ['error-met'], timeout: 60_000 };
  void [worst, options, checkScenario, scenarioTests];
  // @ts-expect-error: trials is a number
  await check('mine', { trials: '1' });
  // @ts-expect-error: the summary has no such count
  void report.summary.passed;
  return report.summary.unmet;
}
`;
// as `tsc --init` sets them (skipLibCheck: the packages' own declarations are their authors' to check)
const tsconfig = (module: string, moduleResolution: string) => JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2022', module, moduleResolution, esModuleInterop: true, skipLibCheck: true }, files: ['types.ts'] });

let work: string;
let project: string;
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
const backend = process.env.DERIVCHECK_BACKEND === 'cpu' ? 'cpu' : 'wasm';

beforeAll(async () => {
  ensureCliBuilt();
  work = mkdtempSync(join(tmpdir(), 'derivcheck-new-user-'));
  // dist/ is fresh (ensureCliBuilt); packing without the prepare script keeps it from being
  // rebuilt under the other spec files that run the command at the same time
  const pack = await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0];
  project = join(work, 'project');
  mkdirSync(join(project, 'mine'), { recursive: true });
  // as `npm init -y` leaves it
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'my-derivations', version: '1.0.0', scripts: { test: 'echo "Error: no test specified" && exit 1' } }, null, 2)}\n`);
  await ok('npm', ['install', '--no-audit', '--no-fund', join(work, packed.filename)], project);
  writeFileSync(join(project, 'mine', 'softmax.json'), `${JSON.stringify(SCENARIO, null, 2)}\n`);
  writeFileSync(join(project, 'mine', 'notes.md'), NOTES);
  writeFileSync(join(project, 'api.cjs'), API_CJS);
  writeFileSync(join(project, 'api.mjs'), API_MJS);
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds what runs and nothing else: no spec, fixture, source or dev-only file', () => {
    const paths = packed.files.map((f) => f.path);
    const allowed = /^(dist\/.+\.(js|d\.ts)|schema\/scenario\.schema\.json|bin\/derivcheck\.js|docs\/[\w-]+\.md|README\.md|LICENSE|package\.json)$/;
    expect(paths.filter((p) => !allowed.test(p))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(spec|fixtures|scenarios|bench|scripts|src|examples|node_modules)\/|writeSchema|\.spec\.|\.map$/.test(p))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/jest/index.js', 'dist/jest/index.d.ts', 'dist/cli/main.js', 'bin/derivcheck.js', 'LICENSE']));
  });

  it('is the size the README gives (within a quarter)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const stated = /a (\d+) kB tarball/.exec(readme);
    expect({ statedKb: stated ? Number(stated[1]) : 'not stated' }).toEqual({ statedKb: expect.any(Number) });
    const kb = packed.size / 1000;
    expect({ statedKb: Number(stated![1]), withinAQuarter: Math.abs(Number(stated![1]) - kb) <= kb / 4 }).toEqual({ statedKb: Number(stated![1]), withinAQuarter: true });
  });

  it('installs without TypeScript, ts-node or jest', async () => {
    const present = await run(process.execPath, ['-e', "for (const m of ['typescript', 'ts-node', 'jest']) { try { require.resolve(m); console.log(m); } catch {} }"], project);
    expect(present).toMatchObject({ code: 0, stdout: '' });
  });
});

/** The report's verdicts per scenario and claim, with the unmet claims' worst element in each world. */
const verdicts = (report: { scenarios: { file: string; error?: string; claims: { id: string; verdict: string; met: boolean; worlds: Record<string, { worst: { index: Record<string, number>; passes: boolean } | null }> }[] }[] }) =>
  report.scenarios.map((s) => ({
    file: s.file,
    ...(s.error ? { error: s.error } : {}),
    claims: s.claims.map((c) => ({ id: c.id, verdict: c.verdict, met: c.met, ...(c.met ? {} : { worst: Object.values(c.worlds).map(({ worst }) => worst && { index: Object.keys(worst.index), passes: worst.passes }) }) })),
  }));

describe('the API, from CommonJS and from ES modules, with no TypeScript around', () => {
  const expected = {
    files: [
      {
        file: 'mine/notes.md:5',
        claims: [
          { id: 'half-met', verdict: 'holds', met: true },
          { id: 'half-unmet', verdict: 'refuted', met: false, worst: [{ index: ['k'], passes: false }, { index: ['k'], passes: false }] },
        ],
      },
      {
        file: 'mine/softmax.json',
        claims: [
          { id: 'error-met', verdict: 'holds', met: true },
          { id: 'error-unmet', verdict: 'refuted', met: false, worst: [{ index: ['k'], passes: false }, { index: ['k'], passes: false }] },
        ],
      },
    ],
    object: [{ file: 'scenario', claims: [{ id: 'error-met', verdict: 'holds', met: true }] }],
  };

  it.each([['api.cjs'], ['api.mjs']])('%s', async (script) => {
    const r = await run(process.execPath, [script], project);
    if (r.code !== 0) throw new Error(shown(r));
    const { files, object } = JSON.parse(r.stdout) as { files: Parameters<typeof verdicts>[0] & { backend: string; summary: unknown }; object: Parameters<typeof verdicts>[0] };
    expect({ backend: files.backend, summary: files.summary, files: verdicts(files), object: verdicts(object) }).toEqual({
      backend: process.env.DERIVCHECK_BACKEND ? backend : 'wasm',
      summary: { files: 2, claims: 4, met: 2, unmet: 2, invalidFiles: 0, agreementChecks: 2, agreementUnmet: 0 },
      ...expected,
    });
  }, RUN_TIMEOUT_MS);
});

describe('the installed command', () => {
  it('npx derivcheck checks the JSON and the Markdown files; exit 1 for the unmet claims, with their worst elements', async () => {
    const r = await run('npx', ['derivcheck', 'mine'], project);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: '' });
    expect(r.stdout).toContain(`mine/notes.md:${NOTES_LINES.scenario} — Half squared error on a 2-2 linear network`);
    expect(r.stdout).toMatch(/✗ half-unmet +refuted, expected holds .*\n +reference: refuted, .*worst element \[k=\d\].*\n +tfjs: refuted, .*worst element \[k=\d\]/);
    expect(r.stdout).toMatch(/✗ error-unmet +refuted, expected holds .*\n +reference: refuted, .*worst element \[k=\d\]/);
    expect(r.stdout).toMatch(/^4 claims in 2 files: 2 met, 2 unmet · derivcheck \S+ on (wasm|cpu|tensorflow) · /m);
  }, RUN_TIMEOUT_MS);

  it('runs on wasm when tfjs-node did not install (or cannot load)', async () => {
    const [r, native] = await Promise.all([
      run('npx', ['derivcheck', 'mine', '--backend', 'auto', '--claim', 'error-met'], project),
      run(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], project),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`on ${native.code === 0 ? 'tensorflow' : 'wasm'} · `));
  }, RUN_TIMEOUT_MS);

  it('npx derivcheck --version is the packed version', async () => {
    expect(await run('npx', ['derivcheck', '--version'], project)).toMatchObject({ code: 0, stdout: `${ownPackage.version}\n` });
  }, RUN_TIMEOUT_MS);
});

describe('with jest (and TypeScript) installed', () => {
  beforeAll(async () => {
    const devDependency = (name: string) => `${name}@${ownPackage.devDependencies[name]}`;
    await ok('npm', ['install', '--no-audit', '--no-fund', '--save-dev', devDependency('jest'), devDependency('typescript')], project);
  }, INSTALL_TIMEOUT_MS);

  it('the README\'s second command: derivcheck init, then a green npm test', async () => {
    const init = await ok('npx', ['derivcheck', 'init'], project);
    expect(init.stdout).toContain('next: npm test');
    const test = await run('npm', ['test'], project);
    // the starter scenario's 3 claims and its gradient agreement check
    expect({ code: test.code, passed: /^Tests: +4 passed, 4 total$/m.test(test.stderr) }).toEqual({ code: 0, passed: true });
  }, RUN_TIMEOUT_MS);

  it('scenarioTests: a met claim passes; an unmet one fails with its place, verdict and worst element', async () => {
    writeFileSync(join(project, 'mine.test.js'), SPEC);
    const out = join(work, 'jest-result.json');
    await run('npx', ['jest', 'mine.test.js', '--ci', '--json', '--outputFile', out], project);
    const result = JSON.parse(readFileSync(out, 'utf8')) as { testResults: { assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[] }[] };
    const tests = result.testResults.flatMap((r) => r.assertionResults.map((a) => ({ name: [...a.ancestorTitles, a.title].join(' › '), status: a.status, failure: a.failureMessages.join('\n') })));
    const worstInBothWorlds = (place: string, id: string) =>
      expect.stringMatching(new RegExp(`^Error: ${place}: ${id}: verdict refuted, expected holds — NOT MET\\n.*\\n  reference: refuted, .*worst element \\[k=\\d\\] .*\\n  tfjs: refuted, .*worst element \\[k=\\d\\] `));
    const agreement = (scenario: string) => ({ name: `${scenario} › gradient agreement: tfjs autodiff against the float64 reference`, status: 'passed', failure: '' });
    const notes = `mine/notes.md:${NOTES_LINES.scenario} — Half squared error on a 2-2 linear network`;
    const softmax = 'mine/softmax.json — Softmax error terms on a 2-3 linear network';
    expect(tests).toEqual([
      { name: `${notes} › half-met: ∂E/∂a_k = a_k − t_k`, status: 'passed', failure: '' },
      { name: `${notes} › half-unmet: ∂E/∂a_k = 2(a_k − t_k)`, status: 'failed', failure: worstInBothWorlds(`mine/notes\\.md:${NOTES_LINES.unmet}`, 'half-unmet') },
      agreement(notes),
      { name: `${softmax} › error-met: ∂E/∂net_k = o_k − y_k`, status: 'passed', failure: '' },
      { name: `${softmax} › error-unmet: ∂E/∂net_k = o_k − 1`, status: 'failed', failure: worstInBothWorlds('mine/softmax\\.json:\\d+', 'error-unmet') },
      agreement(softmax),
    ]);
  }, RUN_TIMEOUT_MS);

  it.each([
    ['nodenext', 'nodenext'],
    ['commonjs', 'node10'],
  ])('the type declarations serve TypeScript (module %s, resolution %s)', async (module, moduleResolution) => {
    writeFileSync(join(project, 'types.ts'), TYPES_TS);
    writeFileSync(join(project, `tsconfig.${moduleResolution}.json`), tsconfig(module, moduleResolution));
    const r = await run('npx', ['tsc', '-p', `tsconfig.${moduleResolution}.json`], project);
    expect({ code: r.code, output: r.stdout + r.stderr }).toEqual({ code: 0, output: '' });
  }, RUN_TIMEOUT_MS);
});
