import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, root } from '../support/cli';

// scenarioTests from 'derivcheck/jest' (the built entry), in a project of its own run by jest:
// one describe per scenario (a JSON file, a Markdown block), one test per claim and one for the
// gradient agreement check; an unmet claim fails with its place and text report, an invalid file
// fails one test that names it.

interface Assertion {
  ancestorTitles: string[];
  title: string;
  status: string;
  failureMessages: string[];
}
interface JestResult {
  numFailedTestSuites: number;
  testResults: { name: string; message: string; assertionResults: Assertion[] }[];
}

let project: string;

/** jest on one spec file of the project, with its JSON result. */
function runJest(spec: string, ...flags: string[]): JestResult {
  const out = join(project, `${spec}.result.json`);
  spawnSync(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--rootDir', project, '--ci', '--json', '--outputFile', out, ...flags, spec], {
    cwd: project,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  return JSON.parse(readFileSync(out, 'utf8')) as JestResult;
}

const specFile = (options: string) => `const { join } = require('node:path');
const { scenarioTests } = require(${JSON.stringify(join(root, 'dist', 'jest'))});
scenarioTests(join(__dirname, 'derivations'), ${options});
`;

const tests = (result: JestResult) => result.testResults.flatMap((r) => r.assertionResults.map((a) => [...a.ancestorTitles, a.title, a.status]));

beforeAll(() => {
  ensureCliBuilt();
  project = mkdtempSync(join(tmpdir(), 'derivcheck-jest-'));
  mkdirSync(join(project, 'derivations'));
  writeFileSync(join(project, 'package.json'), '{ "name": "scenario-tests-spec", "private": true }\n');
  copyFileSync(join(root, 'spec', 'fixtures', 'markdown', 'derivation.md'), join(project, 'derivations', 'notes.md'));
  copyFileSync(join(root, 'spec', 'fixtures', 'cli', 'unmet', 'wrong-expectation.json'), join(project, 'derivations', 'wrong.json'));
  writeFileSync(join(project, 'derivations', 'broken.json'), '{ "title": "broken", "model": {} }\n');
  // softmax cross-entropy targets whose rows do not sum to 1: tfjs's own gradient departs, and the file does not expect it
  const soft = {
    title: 'soft targets',
    model: { inputs: 2, layers: [{ units: 3 }], loss: { type: 'softmax-cross-entropy' } },
    data: { batch: 1, targets: { values: [[0.5, 0.25, 0]] } },
    claims: [{ id: 'output-gradient', says: '∂E/∂o_k = −y_k/o_k', lhs: 'grad(E, o)[0,k]', rhs: '-y[0,k] / o[0,k]', expect: 'holds' }],
  };
  writeFileSync(join(project, 'derivations', 'soft.json'), JSON.stringify(soft));
  writeFileSync(join(project, 'all.test.js'), specFile('{ trials: 1 }'));
  writeFileSync(join(project, 'some.test.js'), specFile("{ trials: 1, claims: ['output-error', 'output-eror'] }"));
  writeFileSync(join(project, 'misspelt.test.js'), specFile('{ trial: 1 }'));
}, 300_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('scenarioTests in a jest run', () => {
  const agreement = 'gradient agreement: tfjs autodiff against the float64 reference';
  it('registers a describe per scenario, a test per claim and one for its gradient agreement check; unmet claims and invalid files fail', () => {
    const result = runJest('all.test.js');
    expect(tests(result)).toEqual([
      ['derivations/broken.json is a valid scenario file', 'failed'],
      ['derivations/notes.md:23 — Markdown fixture: softmax outputs, 2-3 linear network', 'outputs-sum-to-one: Σ_k o_k = 1', 'passed'],
      ['derivations/notes.md:23 — Markdown fixture: softmax outputs, 2-3 linear network', 'output-error: ∂E/∂net_k = o_k − y_k', 'passed'],
      ['derivations/notes.md:23 — Markdown fixture: softmax outputs, 2-3 linear network', 'output-error-without-label: ∂E/∂net_k = o_k − 1', 'failed'],
      ['derivations/notes.md:23 — Markdown fixture: softmax outputs, 2-3 linear network', agreement, 'passed'],
      ['derivations/notes.md:66 — Markdown fixture: half squared error, 2-2 linear network', 'output-error: ∂E/∂a_k = a_k − t_k', 'passed'],
      ['derivations/notes.md:66 — Markdown fixture: half squared error, 2-2 linear network', agreement, 'passed'],
      ['derivations/soft.json — soft targets', 'output-gradient: ∂E/∂o_k = −y_k/o_k', 'passed'],
      ['derivations/soft.json — soft targets', agreement, 'failed'],
      ['derivations/wrong.json — CLI fixture: a claim whose recorded expectation is wrong', 'article-rule-expected-to-hold: ∂E/∂net_k = o_k − 1 for every output k', 'failed'],
      ['derivations/wrong.json — CLI fixture: a claim whose recorded expectation is wrong', 'corrected-rule: ∂E/∂net_k = o_k − y_k', 'passed'],
      ['derivations/wrong.json — CLI fixture: a claim whose recorded expectation is wrong', agreement, 'passed'],
    ]);
    const failures = result.testResults[0].assertionResults.filter((a) => a.status === 'failed').map((a) => a.failureMessages.join('\n'));
    expect(failures).toEqual([
      'Error: derivations/broken.json: model.inputs: missing (expected number)\n' +
        'derivations/broken.json: model.layers: missing (expected array)\n' +
        'derivations/broken.json: model.loss: missing (expected object)',
      expect.stringMatching(
        /^Error: derivations\/notes\.md:55: output-error-without-label: verdict refuted, expected holds — NOT MET\n {2}says: ∂E\/∂net_k = o_k − 1\n {2}reference: refuted, refuted in 1 of 1 trials; worst element \[k=\d\] in trial 0 \(seed 3\): lhs [-\d.]+, rhs [-\d.]+, difference 1, .*\n {2}tfjs: refuted, refuted in 1 of 1 trials; worst element \[k=\d\] /,
      ),
      expect.stringMatching(/^Error: derivations\/soft\.json: gradient agreement: disputed, expected agrees: tfjs's own gradient first departs from the reference at ∂E\/∂\w+\[0,\d\] in trial 0 \(seed 0\): tfjs [-\d.e]+, reference [-\d.e]+, difference [\d.e-]+, allowed [\d.e-]+\n {2}departing: /),
      expect.stringMatching(/^Error: derivations\/wrong\.json:\d+: article-rule-expected-to-hold: verdict refuted, expected holds — NOT MET\n {2}says: .*\n {2}reference: refuted, .*worst element \[k=1\] .*\n {2}tfjs: refuted, .*worst element \[k=1\] .*\n {2}note: wrong on purpose/),
    ]);
  }, 300_000);

  it('registers only the claims asked for, and fails one test for an id none has (jest globals not injected)', () => {
    const result = runJest('some.test.js', '--injectGlobals=false');
    expect(tests(result)).toEqual([
      ['derivations/broken.json is a valid scenario file', 'failed'],
      ['derivations/notes.md:23 — Markdown fixture: softmax outputs, 2-3 linear network', 'output-error: ∂E/∂net_k = o_k − y_k', 'passed'],
      ['derivations/notes.md:23 — Markdown fixture: softmax outputs, 2-3 linear network', agreement, 'passed'],
      ['derivations/notes.md:66 — Markdown fixture: half squared error, 2-2 linear network', 'output-error: ∂E/∂a_k = a_k − t_k', 'passed'],
      ['derivations/notes.md:66 — Markdown fixture: half squared error, 2-2 linear network', agreement, 'passed'],
      ['finds every claim asked for', 'failed'],
    ]);
    expect(result.testResults[0].assertionResults[5].failureMessages).toEqual([
      "Error: no claim has the id 'output-eror' in derivations (did you mean 'output-error'?)",
    ]);
  }, 300_000);

  it('a misspelt option fails the spec file with the reason', () => {
    const result = runJest('misspelt.test.js');
    expect({ failedSuites: result.numFailedTestSuites, tests: tests(result) }).toEqual({ failedSuites: 1, tests: [] });
    expect(result.testResults[0].message).toContain('derivcheck: options: Unrecognized key: "trial"');
  }, 300_000);

  it('outside jest, it says it needs jest', () => {
    const run = () => execFileSync(process.execPath, ['-e', `require(${JSON.stringify(join(root, 'dist', 'jest'))}).scenarioTests('x')`], { encoding: 'utf8', stdio: 'pipe' });
    expect(run).toThrow('derivcheck/jest: scenarioTests registers jest tests; call it in a spec file that jest runs');
  });
});
