import { h, type ComponentChild } from 'preact';
import { render } from 'preact-render-to-string';
import type { ClaimResult } from '../../claim/runScenario';
import type { WorldName } from '../../claim/tolerances';
import type { AgreementResult } from '../../claim/agreement';
import { agreementsOf, type ScenarioReport } from '../../run/runFile';
import { describeAgreementDetails, describeAgreementLine, describeAgreementVerdict, describeSweepAgreement } from '../describeAgreement';
import { formatProblem } from '../../foundation/problem';
import { valueLabel } from '../../sweep/grid';
import { describeClaimDetails, describeNote, describeStep, describeVerdict, formatIndex, formatNumber } from '../describeClaim';
import { allMet, summaryLine, summaryOf, type RunReport } from '../runReport';
import { elementPasses } from '../explainReport';
import { claimMatrices, describeExpect, describeHoldsWhere, describeMet, type ClaimMatrix } from '../sweepMatrix';
import { DIVERGING, divergingColour, SEQUENTIAL, sequentialColour, VERDICT_COLOURS } from './colours';
import { elementsKey, wantsElements, type ClaimElements, type ElementsIndex, type WorldElements } from './collectElements';
import { Heatmap, Legend } from './heatmap';
import { STYLES } from './styles';

// `--format html`: one self-contained page (inline CSS and SVG, no script, nothing loaded) that
// shows each file and claim with its verdict and the file's gradient agreement check; for a claim that is refuted or misses its
// expectation, heat maps of lhs, rhs and their difference in both worlds; a sweep's verdicts as
// coloured matrices. Everything drawn is also there as text: tables, and labels for screen readers.

const WORLD_WORDS: Record<WorldName, string> = { reference: 'reference world (float64)', tfjs: 'tfjs world (float32)' };

/** Ids in the page: a counter, so that two maps never share a gradient id. */
class Ids {
  private n = 0;
  next(prefix: string): string {
    return `${prefix}${++this.n}`;
  }
}

function Mark({ met }: { met: boolean }): ComponentChild {
  return h('span', { class: met ? 'mark-met' : 'mark-unmet', 'aria-hidden': 'true' }, met ? '✓ ' : '✗ ');
}

/** A verdict on its colour, with its mark; `short` (a matrix cell) puts the expectation of an unmet one on a line of its own. */
function VerdictCell({ result, short }: { result: ClaimResult; short?: boolean }): ComponentChild {
  const words = short ? [result.verdict, ...(result.met ? [] : [h('br', null), h('small', null, `expected ${result.expect}`)])] : [describeVerdict(result)];
  return h('td', { class: `verdict${result.met ? '' : ' unmet'}`, style: `background:${VERDICT_COLOURS[result.verdict]}` }, h(Mark, { met: result.met }), ...words);
}

/**
 * A table that may be wider than a phone: it scrolls in its own box, and its caption stands above
 * that box (a <caption> would scroll out of sight with it), named as the table's label.
 */
function WideTable({ caption, ids, className, children }: { caption: string; ids: Ids; className?: string; children: ComponentChild[] }): ComponentChild {
  const id = ids.next('caption');
  return h('div', null, h('p', { id, class: 'muted caption' }, caption), h('div', { class: 'scroll' }, h('table', { class: className, 'aria-labelledby': id }, ...children)));
}

/** The numbers of a world's worst elements, as a table. */
function ElementTable({ world, vars, ids }: { world: WorldElements; vars: string[]; ids: Ids }): ComponentChild {
  return h(WideTable, {
    caption: `${WORLD_WORDS[world.world]}: the ${world.rows.length} worst of ${world.selected} elements judged (${world.failing} failing)`,
    ids,
    children: [
      h('thead', null, h('tr', null, ...[...vars, 'lhs', 'rhs', 'lhs − rhs', 'allowed', 'passes'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        null,
        ...world.rows.map((e) =>
          h(
            'tr',
            null,
            ...e.index.map((v) => h('td', { class: 'num' }, String(v))),
            ...[e.lhs, e.rhs, e.difference, e.allowed].map((v) => h('td', { class: 'num' }, formatNumber(v))),
            h('td', null, elementPasses(e) ? 'yes' : 'no'),
          ),
        ),
      ),
    ],
  });
}

const finite = (values: Float64Array) => Array.from(values).filter(Number.isFinite);

function WorldMaps({ elements, world, ids }: { elements: ClaimElements; world: WorldElements; ids: Ids }): ComponentChild {
  const layout = elements.layout!;
  const both = [...finite(world.lhs), ...finite(world.rhs)];
  const [lo, hi] = both.length > 0 ? [Math.min(...both), Math.max(...both)] : [0, 0];
  const difference = world.lhs.map((l, k) => l - world.rhs[k]);
  const m = Math.max(0, ...finite(difference).map(Math.abs));
  const worst = world.worst?.index ?? null;
  const describe = (name: string) => `${WORLD_WORDS[world.world]}, ${name}`;
  const map = (name: string, values: Float64Array, colour: (v: number) => string) =>
    h('figure', null, h(Heatmap, { name, values, state: world.state, layout, colour, worst, vars: elements.vars, describe: describe(name) }), h('figcaption', null, name));
  return h(
    'div',
    null,
    h('h4', null, WORLD_WORDS[world.world]),
    world.worst ? h('p', null, `Worst element ${formatIndex(elements.vars, world.worst.index)} (outlined): lhs ${formatNumber(world.worst.lhs)}, rhs ${formatNumber(world.worst.rhs)}, difference ${formatNumber(world.worst.difference)}, allowed ${formatNumber(world.worst.allowed)}.`) : null,
    h(
      'div',
      { class: 'legends' },
      h(Legend, { title: 'lhs and rhs (one scale)', scale: SEQUENTIAL, labels: [formatNumber(lo), formatNumber(hi)], id: ids.next('seq') }),
      h(Legend, { title: 'lhs − rhs (0 is white)', scale: DIVERGING, labels: [formatNumber(-m), '0', formatNumber(m)], id: ids.next('div') }),
    ),
    h(
      'div',
      { class: 'maps' },
      map('lhs', world.lhs, (v) => sequentialColour(v, lo, hi)),
      map('rhs', world.rhs, (v) => sequentialColour(v, lo, hi)),
      map('lhs − rhs', difference, (v) => divergingColour(v, m)),
    ),
    h(ElementTable, { world, vars: elements.vars, ids }),
  );
}

/** A claim's elements in its worst trial: heat maps per world, or a table for a single value. */
function ClaimElementsView({ elements, ids }: { elements: ClaimElements | { missing: string } | undefined; ids: Ids }): ComponentChild {
  if (!elements) return h('p', { class: 'muted' }, 'No elements: this claim was not run again.');
  if ('missing' in elements) return h('p', { class: 'muted' }, `No elements to draw: ${elements.missing}`);
  const head = h(
    'p',
    { class: 'muted' },
    `Trial ${elements.trial} (seed ${elements.seed}), the trial of the ${elements.chosenBy} world's worst element. ${elements.layout?.cut ? `The maps show ${elements.layout.cut}. ` : ''}Light grey: not selected by where, or not checked; dark grey: not a finite number.`,
  );
  if (!elements.layout) return h('div', null, head, ...elements.worlds.map((world) => h('div', null, h('h4', null, WORLD_WORDS[world.world]), h(ElementTable, { world, vars: [], ids }))));
  return h('div', null, head, ...elements.worlds.map((world) => h(WorldMaps, { elements, world, ids })));
}

/** The words under a claim that misses: both worlds' worst elements, its note. */
function Details({ result }: { result: ClaimResult }): ComponentChild {
  return h('ul', { class: 'muted' }, ...describeClaimDetails(result).slice(1).map((line) => h('li', null, line)));
}

function elementsBlock(file: string, cell: number, result: ClaimResult, label: string, elements: ElementsIndex, ids: Ids, what = ' — heat maps of lhs, rhs and lhs − rhs'): ComponentChild {
  if (!wantsElements(result)) return null;
  return h(
    'details',
    { open: !result.met },
    h('summary', null, `${label}: ${describeVerdict(result)}${what}`),
    result.met ? null : h(Details, { result }),
    h(ClaimElementsView, { elements: elements.get(elementsKey(file, cell, result.id)), ids }),
  );
}

function PlainScenario({ scenario, elements, ids }: { scenario: ScenarioReport; elements: ElementsIndex; ids: Ids }): ComponentChild {
  return h(
    'div',
    null,
    h(WideTable, {
      caption: `${scenario.claims.length} claims`,
      ids,
      children: [
        h('thead', null, h('tr', null, ...['Claim', 'Verdict', 'Statement'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, ...scenario.claims.map((c) => h('tr', null, h('th', { scope: 'row' }, h('code', null, c.id)), h(VerdictCell, { result: c }), h('td', null, c.says, ...(describeStep(c) ? [h('br', null), h('small', { class: 'muted' }, describeStep(c))] : []))))),
      ],
    }),
    ...scenario.claims.map((c) => elementsBlock(scenario.file, 0, c, c.id, elements, ids)),
  );
}

/** A claim's verdicts over the grid: rows are the values of every axis but the last, columns the last's. */
function Matrix({ matrix, ids }: { matrix: ClaimMatrix; ids: Ids }): ComponentChild {
  const rowAxes = matrix.axes.slice(0, -1);
  const last = matrix.axes[matrix.axes.length - 1];
  return h(WideTable, {
    caption: `${matrix.id}: verdict in each cell; ✗ and a black frame: not the expected verdict`,
    ids,
    className: 'matrix',
    children: [
      h('thead', null, h('tr', null, ...rowAxes.map((a) => h('th', { scope: 'col' }, a.name)), ...last.values.map((v) => h('th', { scope: 'col' }, `${last.name}=${valueLabel(v)}`)))),
      h(
        'tbody',
        null,
        ...matrix.rows.map((row) =>
          h(
            'tr',
            null,
            ...row.values.map((v) => h('th', { scope: 'row' }, valueLabel(v))),
            ...row.cells.map((cell) => h(VerdictCell, { result: cell.result, short: true })),
          ),
        ),
      ),
    ],
  });
}

function SweepScenario({ scenario, elements, ids }: { scenario: ScenarioReport; elements: ElementsIndex; ids: Ids }): ComponentChild {
  const sweep = scenario.sweep!;
  return h(
    'div',
    null,
    h('p', null, `A sweep over ${sweep.axes.map((a) => `${a.name} (${a.path}: ${a.values.map(valueLabel).join(', ')})`).join(' × ')}: ${sweep.cells.length} cells.`),
    ...claimMatrices(sweep).map((matrix) =>
      h(
        'section',
        { 'aria-label': `claim ${matrix.id}` },
        h('h3', null, h(Mark, { met: matrix.missed.length === 0 }), h('code', null, matrix.id), ` — ${describeMet(matrix)}`),
        h('p', null, matrix.says),
        h('p', null, h('strong', null, 'Expected: '), describeExpect(matrix), '. ', h('strong', null, 'Found: '), describeHoldsWhere(matrix), '.'),
        h(Matrix, { matrix, ids }),
        h(SweepElements, { matrix, file: scenario.file, elements, ids }),
      ),
    ),
  );
}

/** The heat maps of a sweep claim's refuted and unmet cells, together in one box (open when a cell is unmet). */
function SweepElements({ matrix, file, elements, ids }: { matrix: ClaimMatrix; file: string; elements: ElementsIndex; ids: Ids }): ComponentChild {
  // a matrix cell's position in the grid is its position in the matrix's cells (both in grid order)
  const drawn = matrix.cells.flatMap((cell, k) => (wantsElements(cell.result) ? [{ cell, k }] : []));
  if (drawn.length === 0) return null;
  const refuted = drawn.filter((d) => d.cell.result.verdict === 'refuted').length;
  return h(
    'details',
    { open: matrix.missed.length > 0 },
    h('summary', null, `Heat maps of lhs, rhs and lhs − rhs: ${drawn.length} cells (${refuted} refuted, ${matrix.missed.length} not as expected)`),
    ...drawn.map(({ cell, k }) => elementsBlock(file, k, cell.result, cell.label, elements, ids, '')),
  );
}

/** The built-in gradient agreement check: its verdict, what it found, and (unmet) its details; in a sweep, each cell that misses. */
function AgreementSection({ scenario }: { scenario: ScenarioReport }): ComponentChild {
  const checks = agreementsOf(scenario);
  if (checks.length === 0) return null;
  const title = (met: boolean, words: string) => h('h3', null, h(Mark, { met }), 'Gradient agreement', ` — ${words}`);
  const what = h('p', { class: 'muted' }, "tfjs autodiff's own ∂E/∂S against the float64 reference's, for every tensor and intermediate S, in every trial.");
  const details = (a: AgreementResult) => h('ul', { class: 'muted' }, ...describeAgreementDetails(a).map((line) => h('li', null, line)));
  if (scenario.sweep) {
    const { met, line, missed } = describeSweepAgreement(scenario.sweep.axes, checks);
    return h(
      'section',
      { 'aria-label': 'gradient agreement' },
      title(met, line),
      what,
      ...missed.map((m) => h('div', null, h('p', null, h(Mark, { met: false }), `${m.label}: ${describeAgreementVerdict(m.agreement)}: ${describeAgreementLine(m.agreement)}`), details(m.agreement))),
    );
  }
  const a = checks[0].agreement;
  return h('section', { 'aria-label': 'gradient agreement' }, title(a.met, describeAgreementVerdict(a)), what, h('p', null, describeAgreementLine(a)), a.met ? null : details(a));
}

function ScenarioSection({ scenario, elements, ids }: { scenario: ScenarioReport; elements: ElementsIndex; ids: Ids }): ComponentChild {
  const head = [h('h2', null, h('code', null, scenario.file)), scenario.title ? h('p', null, scenario.title) : null, ...(scenario.notes ?? []).map((n) => h('p', { class: 'muted' }, describeNote(n)))];
  if (scenario.problems) {
    return h('section', null, ...head, h('p', null, h('span', { class: 'mark-unmet' }, '! '), 'Invalid scenario file, not run:'), h('ul', { class: 'problems' }, ...scenario.problems.map((p) => h('li', null, h('code', null, formatProblem(p))))));
  }
  return h('section', null, ...head, scenario.sweep ? h(SweepScenario, { scenario, elements, ids }) : h(PlainScenario, { scenario, elements, ids }), h(AgreementSection, { scenario }));
}

function Page({ report, elements }: { report: RunReport; elements: ElementsIndex }): ComponentChild {
  const summary = summaryOf(report);
  const ids = new Ids();
  const ok = allMet(summary);
  return h(
    'html',
    { lang: 'en' },
    h(
      'head',
      null,
      h('meta', { charset: 'utf-8' }),
      h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      h('title', null, `derivcheck: ${summaryLine(summary)}`),
      h('style', { dangerouslySetInnerHTML: { __html: STYLES } }),
    ),
    h(
      'body',
      null,
      h(
        'header',
        null,
        h('h1', null, 'derivcheck report'),
        h('p', { class: 'summary' }, h(Mark, { met: ok }), summaryLine(summary)),
        h('p', { class: 'muted' }, `derivcheck ${report.version} on ${report.backend}. A claim is ✓ when its verdict is the one its scenario expects.`),
      ),
      h('main', null, ...report.scenarios.map((scenario) => h(ScenarioSection, { scenario, elements, ids }))),
    ),
  );
}

export function htmlReport(report: RunReport, elements: ElementsIndex = new Map()): string {
  return `<!doctype html>\n${render(h(Page, { report, elements }))}\n`;
}
