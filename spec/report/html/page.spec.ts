import { join } from 'node:path';
import { collectElements } from '../../../src/report/html/collectElements';
import { htmlReport } from '../../../src/report/html/page';
import type { RunReport } from '../../../src/report/runReport';
import { runScenarioFile } from '../../../src/run/runFile';
import { useSpecBackend } from '../../support/backend';

// The HTML page's content, without a browser: one file, the sweep's matrix with each cell's
// verdict, and for each refuted or unmet cell three heat maps per world, each labelled for a
// screen reader with its axes, its range and the worst element; the scales labelled.

const file = join('spec', 'fixtures', 'sweep', 'unmet-cell.json');
let html: string;

useSpecBackend();

beforeAll(() => {
  const scenario = runScenarioFile(join(__dirname, '..', '..', '..', file));
  const report: RunReport = { tool: 'derivcheck', version: '0.0.0', backend: 'test', scenarios: [{ ...scenario, file: join(__dirname, '..', '..', '..', file) }], elapsedMs: 0 };
  html = htmlReport(report, collectElements(report));
});

const all = (pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]);

describe('the HTML report of a sweep', () => {
  it('is one document with its style inline and no script', () => {
    expect({ doctype: html.startsWith('<!doctype html>\n<html lang="en">'), styles: all(/<(style)>/g).length, scripts: all(/<(script)/g).length }).toEqual({ doctype: true, styles: 1, scripts: 0 });
  });

  it('shows the matrix: a row per activation, a cell per class count, the unmet cells framed and marked', () => {
    const cells = all(/<td class="(verdict[^"]*)"/g);
    // hidden-error's 6 cells, then output-error's 6
    expect(cells.slice(0, 6)).toEqual(['verdict', 'verdict', 'verdict unmet', 'verdict unmet', 'verdict', 'verdict']);
    expect(html).toContain('refuted<br/><small>expected holds</small>');
    expect(html).toContain("<strong>Found: </strong>holds where activation == 'linear'.");
  });

  it('draws three maps per world for each refuted or unmet cell (4 cells), each described for a screen reader', () => {
    const labels = all(/<svg class="heatmap"[^>]*aria-label="([^"]*)"/g);
    expect(labels).toHaveLength(4 * 2 * 3);
    expect(labels[0]).toMatch(/^reference world \(float64\), lhs: heat map, j across, values from -?[\d.e-]+ to -?[\d.e-]+; the worst element \[j=\d\] is outlined$/);
    expect(labels.filter((l) => l.startsWith('tfjs world (float32), lhs − rhs: heat map'))).toHaveLength(4);
  });

  it("shows the sweep's gradient agreement check over its cells", () => {
    expect(html).toMatch(/<section aria-label="gradient agreement"><h3><span class="mark-met" aria-hidden="true">✓ <\/span>Gradient agreement — agrees in every cell \(6\), as expected<\/h3>/);
  });

  it('labels both colour scales of each world', () => {
    expect(all(/<figcaption>(lhs and rhs \(one scale\)|lhs − rhs \(0 is white\))<\/figcaption>/g)).toHaveLength(4 * 2 * 2);
    expect(all(/<linearGradient id="([^"]+)"/g).length).toBe(new Set(all(/<linearGradient id="([^"]+)"/g)).size);
  });
});
