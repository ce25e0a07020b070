import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, checkScenario } from '../../src';
import { JsonReport } from '../../src/report/jsonReport';
import { ensureCliBuilt, root } from '../support/cli';

// The API of DESIGN §7: check(paths) and checkScenario(object) resolve to the JSON report of
// §4 (its zod schema is strict), start the backend themselves, report invalid files as the
// command does, and reject what the command calls bad usage, with the reason.

const cli = join('spec', 'fixtures', 'cli');
const derivation = join('spec', 'fixtures', 'markdown', 'derivation.md');
const scenarioFile = join(root, cli, 'unmet', 'wrong-expectation.json');
const scenarioObject = () => JSON.parse(readFileSync(scenarioFile, 'utf8')) as Record<string, unknown>;
const backend = process.env.DERIVCHECK_BACKEND === 'cpu' ? 'cpu' : 'wasm';

const verdicts = (report: JsonReport) => report.scenarios.map((s) => [s.file, s.error ?? s.claims.map((c) => [c.id, c.verdict, c.met])]);

describe('check(paths, options)', () => {
  it('checks JSON files, Markdown files and folders, as the command does', async () => {
    const report = JsonReport.parse(await check([join(cli, 'good'), join(cli, 'unmet'), derivation], { trials: 1, backend }));
    expect(report).toMatchObject({ tool: 'derivcheck', backend, summary: { files: 5, claims: 10, met: 8, unmet: 2, invalidFiles: 0 } });
    expect(verdicts(report)).toEqual([
      [join(cli, 'good', 'delta-rule.json'), [['output-delta', 'holds', true], ['hidden-delta-without-phi-prime', 'refuted', true]]],
      [join(cli, 'good', 'softmax-sums.json'), [['outputs-sum-to-one', 'holds', true], ['unlabelled-error-is-o', 'holds', true]]],
      [join(cli, 'unmet', 'wrong-expectation.json'), [['article-rule-expected-to-hold', 'refuted', false], ['corrected-rule', 'holds', true]]],
      [`${derivation}:23`, [['outputs-sum-to-one', 'holds', true], ['output-error', 'holds', true], ['output-error-without-label', 'refuted', false]]],
      [`${derivation}:66`, [['output-error', 'holds', true]]],
    ]);
    // the worst element of an unmet claim, in both worlds
    const unmet = report.scenarios[2].claims[0];
    expect(unmet.worlds.reference.worst).toMatchObject({ index: { k: 1 }, difference: expect.closeTo(1, 10), passes: false });
    expect(unmet.worlds.tfjs.worst).toMatchObject({ index: { k: 1 }, passes: false });
  });

  it('a single path may be a string; options trials, seed and claims apply', async () => {
    const report = await check(join(cli, 'good'), { trials: 2, seed: 7, claims: ['output-delta'], backend });
    expect(verdicts(report)).toEqual([[join(cli, 'good', 'delta-rule.json'), [['output-delta', 'holds', true]]]]);
    const claim = report.scenarios[0].claims[0];
    const seed = claim.worlds.reference.worst?.seed;
    expect({ trials: claim.trials, seed, seedIsSevenOrEight: seed === 7 || seed === 8 }).toEqual({ trials: 2, seed, seedIsSevenOrEight: true });
  });

  it('reports an invalid file and still runs the others', async () => {
    const report = await check([join(cli, 'invalid'), join(cli, 'good', 'softmax-sums.json')], { trials: 1, backend });
    expect(report.summary).toMatchObject({ files: 2, invalidFiles: 1, claims: 2, met: 2 });
    expect(report.scenarios.map((s) => s.error ?? 'valid')).toEqual(['valid', expect.stringMatching(/unknown-loss\.json: model\.loss\.type: Invalid option/)]);
  });

  it.each([
    ['an id no claim has', () => check(join(cli, 'good'), { claims: ['output-delt'] }), "derivcheck: no claim has the id 'output-delt' in the 2 files checked (did you mean 'output-delta'?)"],
    ['no scenario file (docs/ has Markdown, but no derivcheck block)', () => check(join(root, 'docs')), /^derivcheck: no scenario files \(\*\.json, or \*\.md with a derivcheck block\) in .*docs$/],
    ['no path', () => check([]), 'derivcheck: check(paths) takes a path or a non-empty list of paths (files or folders)'],
    ['a misspelt option', () => check(cli, { trial: 2 } as never), 'derivcheck: options: Unrecognized key: "trial"'],
    ['options out of range', () => check(cli, { trials: 0, seed: 2 ** 31, backend: 'gpu' as never }), /^derivcheck: options\.backend: Invalid option: .*; options\.trials: Too small: expected number to be >=1; options\.seed: Too big: expected number to be <=2147483647$/],
  ])('rejects %s', async (_name, call, message) => {
    await expect(call()).rejects.toThrow(message);
  });
});

describe('checkScenario(scenario, options)', () => {
  it('checks a scenario given as an object', async () => {
    const report = JsonReport.parse(await checkScenario(scenarioObject(), { trials: 1, backend }));
    expect(verdicts(report)).toEqual([['scenario', [['article-rule-expected-to-hold', 'refuted', false], ['corrected-rule', 'holds', true]]]]);
    expect(report.summary).toEqual({ files: 1, claims: 2, met: 1, unmet: 1, invalidFiles: 0, agreementChecks: 1, agreementUnmet: 0 });
  });

  it('reports an invalid object with its problems, as a file', async () => {
    const scenario = { ...scenarioObject(), claims: [{ id: 'a', says: 'a', lhs: 'E', rhs: 'W3', expect: 'holds' }] };
    const report = JsonReport.parse(await checkScenario(scenario, { backend }));
    expect(report.scenarios[0]).toMatchObject({ file: 'scenario', claims: [], problems: [{ path: 'claims[0].rhs', message: "unknown symbol 'W3' (did you mean 'W1'?) at character 0" }] });
    expect(report.summary.invalidFiles).toBe(1);
  });

  it('rejects an id the scenario does not have', async () => {
    await expect(checkScenario(scenarioObject(), { claims: ['corrected-rul'] })).rejects.toThrow("derivcheck: no claim has the id 'corrected-rul' in the scenario (did you mean 'corrected-rule'?)");
  });
});

describe('the built entries', () => {
  beforeAll(ensureCliBuilt, 300_000);

  it('load from CommonJS and from ES modules, with the same names', () => {
    const dist = join(root, 'dist');
    const names = (code: string, type: 'commonjs' | 'module') => execFileSync(process.execPath, ['--input-type', type, '-e', code], { encoding: 'utf8' }).trim();
    const cjs = names(`const a = require(${JSON.stringify(dist)}); const j = require(${JSON.stringify(join(dist, 'jest'))}); console.log([...Object.keys(a), ...Object.keys(j)].filter((n) => n !== '__esModule').join(' '))`, 'commonjs');
    const esm = names(`import { check, checkScenario } from ${JSON.stringify(join(dist, 'index.js'))}; import { scenarioTests } from ${JSON.stringify(join(dist, 'jest', 'index.js'))}; console.log([check, checkScenario, scenarioTests].map((f) => typeof f + ' ' + f.name).join(' '))`, 'module');
    expect({ cjs, esm }).toEqual({ cjs: 'check checkScenario scenarioTests', esm: 'function check function checkScenario function scenarioTests' });
  });
});
