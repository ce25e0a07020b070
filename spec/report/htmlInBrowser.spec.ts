import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { ensureCliBuilt, root, runCli, shown } from '../support/cli';

// The HTML report as a person sees it: `derivcheck --format html` on a shipped sweep and on a
// file with an unmet claim, opened in Debian's chromium (driven by playwright-core, no browser
// download) at a phone's and a desktop's width. The page must load nothing (no request but its
// own file), log no console error, fit the screen's width (wide tables scroll in their own box),
// and show its heat maps and matrices with words for screen readers. The screenshots are kept in
// spec/screenshots/ (not committed) to look at.

const CHROMIUM = process.env.DERIVCHECK_CHROMIUM ?? '/usr/bin/chromium';
const screenshots = join(root, 'spec', 'screenshots');
const WIDTHS = [
  ['phone', 390, 844],
  ['desktop', 1280, 900],
] as const;

const haveBrowser = existsSync(CHROMIUM);
const describeWithBrowser = haveBrowser ? describe : describe.skip;
if (!haveBrowser) {
  it.skip(`renders the HTML report in chromium: no browser at ${CHROMIUM} (apt-get install chromium, or set DERIVCHECK_CHROMIUM)`, () => undefined);
}

describeWithBrowser('the HTML report in chromium', () => {
  let folder: string;
  let page: string;
  let context: BrowserContext;

  beforeAll(async () => {
    ensureCliBuilt();
    folder = mkdtempSync(join(tmpdir(), 'derivcheck-html-'));
    page = join(folder, 'report.html');
    const run = await runCli(['scenarios/article/conditions-sweep.json', 'spec/fixtures/cli/unmet', '--format', 'html', '--output', page]);
    if (run.code !== 1) throw new Error(`expected exit 1 (one unmet claim)\n${shown(run)}`);
    mkdirSync(screenshots, { recursive: true });
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(join(folder, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('is one file: no script, no stylesheet or image loaded from elsewhere', () => {
    const html = readFileSync(page, 'utf8');
    expect({ scripts: html.match(/<script/g) ?? [], links: html.match(/<link/g) ?? [], remote: html.match(/(src|href)="(?!#)[^"]*"/g) ?? [] }).toEqual({ scripts: [], links: [], remote: [] });
  });

  it.each(WIDTHS)('at a %s width (%i px): no request, no console error, nothing wider than the screen, maps and matrices with their words', async (name, width, height) => {
    const tab = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    tab.on('request', (r) => requests.push(r.url()));
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.setViewportSize({ width, height });
    const url = pathToFileURL(page).href;
    await tab.goto(url);
    const seen = await tab.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      heatmaps: document.querySelectorAll('svg.heatmap').length,
      unlabelled: Array.from(document.querySelectorAll('svg.heatmap')).filter((s) => !/heat map/.test(s.getAttribute('aria-label') ?? '')).length,
      matrices: document.querySelectorAll('table.matrix').length,
      unmetCells: Array.from(document.querySelectorAll('td.unmet')).map((td) => td.textContent),
      legends: Array.from(document.querySelectorAll('.legend figcaption')).slice(0, 2).map((f) => f.textContent),
    }));
    await tab.screenshot({ path: join(screenshots, `html-report-${name}.png`), fullPage: false });
    await tab.screenshot({ path: join(screenshots, `html-report-${name}-full.png`), fullPage: true });
    await tab.close();
    expect({ requests, errors, ...seen, heatmaps: seen.heatmaps > 100 }).toEqual({
      requests: [url],
      errors: [],
      overflow: 0,
      heatmaps: true,
      unlabelled: 0,
      matrices: 9,
      unmetCells: ['✗ refuted, expected holds'],
      legends: ['lhs and rhs (one scale)', 'lhs − rhs (0 is white)'],
    });
  });
});
