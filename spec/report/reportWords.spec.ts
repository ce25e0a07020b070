import { classNameOf } from '../../src/report/junitReport';
import { cell } from '../../src/report/markdownReport';
import { exitCodeOf, summaryLine, type RunSummary } from '../../src/report/runReport';

// The small decisions of the reports: exit codes, the summary line, table cells, JUnit class names.

const summary = (over: Partial<RunSummary>): RunSummary => ({ files: 3, claims: 5, met: 5, unmet: 0, invalidFiles: 0, agreementChecks: 3, agreementUnmet: 0, ...over });

describe('exitCodeOf', () => {
  it.each([
    [summary({}), 0],
    [summary({ met: 4, unmet: 1 }), 1],
    [summary({ invalidFiles: 1 }), 2],
    [summary({ met: 4, unmet: 1, invalidFiles: 1 }), 2],
    [summary({ claims: 0, met: 0 }), 0],
    [summary({ agreementUnmet: 1 }), 1],
    [summary({ agreementUnmet: 1, invalidFiles: 1 }), 2],
  ])('%j → %i', (s, code) => {
    expect(exitCodeOf(s)).toBe(code);
  });
});

describe('summaryLine', () => {
  it.each([
    [summary({}), '5 claims in 3 files: 5 met, 0 unmet'],
    [summary({ files: 1, claims: 1, met: 0, unmet: 1, invalidFiles: 1 }), '1 claim in 1 file: 0 met, 1 unmet; 1 invalid file'],
    [summary({ invalidFiles: 2 }), '5 claims in 3 files: 5 met, 0 unmet; 2 invalid files'],
    [summary({ agreementUnmet: 1 }), '5 claims in 3 files: 5 met, 0 unmet; 1 gradient agreement check unmet'],
    [summary({ agreementUnmet: 2, invalidFiles: 1 }), '5 claims in 3 files: 5 met, 0 unmet; 2 gradient agreement checks unmet; 1 invalid file'],
  ])('%j', (s, line) => {
    expect(summaryLine(s)).toBe(line);
  });
});

describe('markdown cell', () => {
  it.each([
    ['∂E_p/∂w_ij', '∂E\\_p/∂w\\_ij'],
    ['a | b', 'a \\| b'],
    ['x * y', 'x \\* y'],
    ['[i=1] <b>', '\\[i=1\\] \\<b\\>'],
    ['`code` \\', '\\`code\\` \\\\'],
    ['two\nlines', 'two<br>lines'],
  ])('%j → %j', (text, escaped) => {
    expect(cell(text)).toBe(escaped);
  });
});

describe('classNameOf', () => {
  it.each([
    ['scenarios/article/demo-label0.json', 'scenarios.article.demo-label0'],
    ['./scenarios/a.json', 'scenarios.a'],
    ['/abs/path/b.json', 'abs.path.b'],
  ])('%s → %s', (file, name) => {
    expect(classNameOf(file)).toBe(name);
  });
});
