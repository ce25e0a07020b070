import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { createColors } from 'picocolors';
import { renderReport } from '../../src/report/formats';
import { JsonReport } from '../../src/report/jsonReport';
import type { RunReport } from '../../src/report/runReport';
import { runScenarioFile } from '../../src/run/runFile';
import { useSpecBackend } from '../support/backend';

// A sweep in every report format: each claim's verdict matrix over the axes, where it holds, and
// the cells that miss their expectation. The fixture expects the hidden error without φ′ to hold
// for linear and sigmoid hidden units; it holds for linear only, so two cells miss.

const file = join('spec', 'fixtures', 'sweep', 'unmet-cell.json');
const plain = createColors(false);
let report: RunReport;

useSpecBackend();

beforeAll(() => {
  const scenario = runScenarioFile(join(__dirname, '..', '..', file));
  report = { tool: 'derivcheck', version: '0.0.0', backend: 'test', scenarios: [{ ...scenario, file }], elapsedMs: 0 };
});

describe('a sweep in the reports', () => {
  it('text: a table per claim, where it holds, and each cell that misses with both worlds', () => {
    const lines = renderReport('text', report, plain).split('\n');
    const from = lines.findIndex((l) => l.includes('✗ hidden-error'));
    expect(lines.slice(from, from + 9).map((l) => l.trimEnd())).toEqual([
      '  ✗ hidden-error  4 of 6 cells as expected  ∂E/∂net_j = Σ_k ∂E/∂net_k · w_jk',
      "      expected: holds where activation in {'linear', 'sigmoid'}; refuted otherwise",
      "      found:    holds where activation == 'linear'",
      '        activation  │ classes=2  classes=3',
      '        linear      │ ✓ holds    ✓ holds',
      '        sigmoid     │ ✗ refuted  ✗ refuted',
      '        tanh        │ ✓ refuted  ✓ refuted',
      '      ✗ [activation=sigmoid, classes=2]: refuted, expected holds',
      expect.stringMatching(/^ {10}reference: refuted, refuted in 2 of 2 trials; worst element \[j=\d\]/),
    ]);
    expect(lines).toContain('      ✗ [activation=sigmoid, classes=3]: refuted, expected holds');
    expect(lines.filter((l) => l.startsWith('12 claims in 1 file'))).toEqual([expect.stringContaining('12 claims in 1 file: 10 met, 2 unmet')]);
  });

  it('markdown: a table per claim and the cells that miss', () => {
    const text = renderReport('markdown', report, plain);
    expect(text).toContain(
      [
        '| activation | classes=2 | classes=3 |',
        '| --- | --- | --- |',
        '| linear | ✅ holds | ✅ holds |',
        '| sigmoid | ❌ **refuted**, expected holds | ❌ **refuted**, expected holds |',
        '| tanh | ✅ refuted | ✅ refuted |',
      ].join('\n'),
    );
    expect(text).toContain("Found: holds where activation == 'linear'.");
    expect(text.match(/^- \\\[activation=sigmoid, classes=\d\\\]: ❌ \*\*refuted\*\*, expected holds; reference: /gm)).toHaveLength(2);
  });

  it('JSON: every claim in every cell with its axis values and both worlds; per claim where it holds and the cells missed', () => {
    const json = JsonReport.parse(JSON.parse(renderReport('json', report, plain)));
    const scenario = json.scenarios[0];
    const cells = scenario.claims.filter((c) => c.id === 'hidden-error').map((c) => ({ cell: c.cell, verdict: c.verdict, met: c.met, worlds: Object.keys(c.worlds) }));
    expect(cells).toEqual(
      ['linear', 'sigmoid', 'tanh'].flatMap((activation) =>
        [2, 3].map((classes) => ({ cell: { activation, classes }, verdict: activation === 'linear' ? 'holds' : 'refuted', met: activation !== 'sigmoid', worlds: ['reference', 'tfjs'] })),
      ),
    );
    expect(scenario.sweep).toEqual({
      axes: [
        { name: 'activation', path: 'model.layers[0].activation', values: ['linear', 'sigmoid', 'tanh'] },
        { name: 'classes', path: 'model.layers[1].units', values: [2, 3] },
      ],
      cells: 6,
      claims: [
        {
          id: 'hidden-error',
          expect: [{ when: "activation in {'linear', 'sigmoid'}", expect: 'holds' }, { expect: 'refuted' }],
          holdsWhere: { kind: 'condition', condition: "activation == 'linear'" },
          missed: [{ activation: 'sigmoid', classes: 2 }, { activation: 'sigmoid', classes: 3 }],
        },
        { id: 'output-error', expect: 'holds', holdsWhere: { kind: 'every' }, missed: [] },
      ],
    });
    expect(json.summary).toEqual({ files: 1, claims: 12, met: 10, unmet: 2, invalidFiles: 0, agreementChecks: 6, agreementUnmet: 0 });
  });

  it('JUnit: one testcase per claim and cell, a failure for each cell that misses, and a gradient agreement testcase per cell', () => {
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(renderReport('junit', report, plain));
    const suite = xml.testsuites.testsuite[0];
    const cases = (suite.testcase as { name: string; failure?: { message: string } }[]).map((t) => [t.name.replace(/:.*/, ''), t.failure?.message ?? 'met']);
    expect(cases.slice(12)).toEqual(['linear', 'sigmoid', 'tanh'].flatMap((activation) => [2, 3].map((classes) => [`gradient agreement [activation=${activation}, classes=${classes}]`, 'met'])));
    expect({ tests: suite.tests, failures: suite.failures, cases: cases.slice(0, 6) }).toEqual({
      tests: '18',
      failures: '2',
      cases: [
        ['hidden-error [activation=linear, classes=2]', 'met'],
        ['hidden-error [activation=linear, classes=3]', 'met'],
        ['hidden-error [activation=sigmoid, classes=2]', '[activation=sigmoid, classes=2]: refuted, expected holds'],
        ['hidden-error [activation=sigmoid, classes=3]', '[activation=sigmoid, classes=3]: refuted, expected holds'],
        ['hidden-error [activation=tanh, classes=2]', 'met'],
        ['hidden-error [activation=tanh, classes=3]', 'met'],
      ],
    });
    expect(suite.properties.property).toContainEqual({ name: 'hidden-error: where it holds', value: "holds where activation == 'linear'" });
  });
});
