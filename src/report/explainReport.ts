import type { Colors } from 'picocolors/types';
import { judgeElement, type ElementReport } from '../claim/compare';
import { judgeSides } from '../claim/judge';
import { elementCount, flatOf, type Sides } from '../claim/sides';
import type { Relation } from '../claim/relations';
import type { ClaimResult, WorldSummary } from '../claim/runScenario';
import type { Tolerance, WorldName } from '../claim/tolerances';
import type { Claim } from '../scenario/schema';
import { AT_KINK_WORDS, describeStep, describeVerdict, describeWorld, formatNumber } from './describeClaim';

// `derivcheck explain`: the element table of one claim in both worlds, for the worst trial (the
// trial of the worse world's worst element), each world's elements sorted worst first.

export interface WorldTable {
  world: WorldName;
  tolerance: Tolerance;
  /** what absolute tolerances were scaled by */
  scale: number;
  /** all elements, or those `where` selects */
  total: number;
  selected: number;
  failing: number;
  /** selected elements at a kink (the reference's one-sided derivatives differ): not judged, not in rows */
  kinks: number;
  /** selected elements the reference's error estimate would decide (src/claim/compare.ts): not judged, not in rows */
  imprecise: number;
  /** selected elements, worst first */
  rows: ElementReport[];
}

export interface ElementTables {
  trial: number;
  seed: number;
  /** whose worst element chose the trial */
  chosenBy: WorldName;
  worlds: WorldTable[];
}

const WORLD_WORDS: Record<WorldName, string> = { reference: 'reference world (float64)', tfjs: 'tfjs world (float32)' };

/** Non-finite values never pass, whatever the relation says about them (DESIGN §3). */
export const elementPasses = (e: ElementReport) => e.passes && Number.isFinite(e.lhs) && Number.isFinite(e.rhs);

/** Failing elements first, non-finite ones first of all, then by how far past the limit. */
export const badness = (e: ElementReport) => (!Number.isFinite(e.lhs) || !Number.isFinite(e.rhs) || Number.isNaN(e.excess) ? Infinity : e.excess);

/** Flat positions of the elements the reference found at a kink: judged in neither world, as in compareSides. */
function kinkFlats(reference: Sides): Set<number> {
  const flats = new Set<number>();
  reference.kink?.forEach((k, position) => k && flats.add(flatOf(reference, position)));
  return flats;
}

function worldTable(world: WorldName, sides: Sides, rel: Relation, tolerance: Tolerance, kinks: Set<number>): WorldTable {
  // the kinks the reference found are judged in neither world, as in the claim's comparison
  const kink = kinks.size > 0 ? Uint8Array.from(sides.lhs, (_, position) => (kinks.has(flatOf(sides, position)) ? 1 : 0)) : null;
  const rows: ElementReport[] = [];
  let atKink = 0;
  let imprecise = 0;
  judgeSides({ ...sides, kink }, rel, 'all', tolerance, {
    each(position, kind) {
      if (kind === 'kink') atKink++;
      else if (kind === 'imprecise') imprecise++;
      else rows.push(judgeElement(sides, position, rel, tolerance));
    },
  });
  rows.sort((a, b) => badness(b) - badness(a) || a.flat - b.flat);
  const failing = rows.filter((r) => !elementPasses(r)).length;
  return { world, tolerance, scale: sides.scale, total: elementCount(sides), selected: rows.length, failing, kinks: atKink, imprecise, rows };
}

/** The tables, or null when no trial kept both worlds' sides (a world could not evaluate the claim). */
export function elementTables(result: ClaimResult, claim: Pick<Claim, 'rel'>): ElementTables | null {
  const candidates = (['reference', 'tfjs'] as const)
    .map((world) => ({ world, worst: result.worlds[world].worst }))
    .filter((c) => c.worst !== null);
  if (candidates.length === 0 || !result.sides || result.sides.length === 0) return null;
  const chosen = candidates.reduce((a, b) => (badness(b.worst!) > badness(a.worst!) ? b : a));
  const kept = result.sides.find((s) => s.trial === chosen.worst!.trial);
  if (!kept) return null;
  return {
    trial: kept.trial,
    seed: kept.seed,
    chosenBy: chosen.world,
    worlds: (['reference', 'tfjs'] as const).map((world) => worldTable(world, kept[world], claim.rel, result.worlds[world].tolerance, kinkFlats(kept.reference))),
  };
}

function passesHeader(rel: Relation): string {
  return rel === '==' ? 'within tolerance' : `lhs ${rel} rhs`;
}

/** Columns right-aligned, except the last; a leading mark column. */
function tableLines(header: string[], body: string[][], failing: boolean[], c: Colors): string[] {
  const widths = header.map((h, col) => Math.max(h.length, ...body.map((row) => row[col].length)));
  const line = (cells: string[]) => cells.map((text, col) => (col === cells.length - 1 ? text : text.padStart(widths[col]))).join('  ');
  return [`    ${c.dim(line(header))}`, ...body.map((row, i) => (failing[i] ? `  ${c.red('✗')} ${c.red(line(row))}` : `  ${c.green('✓')} ${line(row)}`))];
}

function outcomeWords(summary: WorldSummary, trials: number): string {
  if (summary.outcome === 'error') return `error: ${summary.message}`;
  if (summary.outcome === 'refuted') return `refuted in ${summary.trialsRefuted} of ${trials} trials`;
  if (summary.outcome === 'at-kink') return AT_KINK_WORDS;
  return trials === 1 ? 'holds in its one trial' : `holds in all ${trials} trials`;
}

function worldLines(table: WorldTable, result: ClaimResult, rel: Relation, limit: number, c: Colors): string[] {
  const summary = result.worlds[table.world];
  const selection = summary.coverage
    ? `${table.selected + table.kinks + table.imprecise} of ${table.total} elements differentiated one by one (a large gradient; ${summary.coverage.directions} random directions checked besides)`
    : table.selected + table.kinks + table.imprecise === table.total
      ? `${table.total} element${table.total === 1 ? '' : 's'}`
      : `${table.selected + table.kinks + table.imprecise} of ${table.total} elements (selected by where)`;
  const tol = `rtol ${table.tolerance.rtol}, atol ${table.tolerance.atol} × scale ${formatNumber(table.scale)}`;
  const head = `${c.bold(WORLD_WORDS[table.world])}: ${outcomeWords(summary, result.trials)}`;
  const shown = table.rows.slice(0, limit);
  const header = [...result.indices, 'lhs', 'rhs', 'lhs − rhs', 'allowed', passesHeader(rel)];
  const body = shown.map((e) => [...e.index.map(String), formatNumber(e.lhs), formatNumber(e.rhs), formatNumber(e.difference), formatNumber(e.allowed), elementPasses(e) ? 'yes' : 'no']);
  const failing = shown.map((e) => !elementPasses(e));
  const atKink = table.kinks > 0 ? `, ${table.kinks} at a kink (not judged)` : '';
  const imprecise = table.imprecise > 0 ? `, ${table.imprecise} not judged (the reference's error estimate would decide ${table.imprecise === 1 ? 'it' : 'them'})` : '';
  const lines = [head, `  in this trial: ${selection}, ${table.failing} failing${atKink}${imprecise}; ${tol}`, ...tableLines(header, body, failing, c)];
  const rest = table.rows.length - shown.length;
  if (rest > 0) {
    const restFailing = table.rows.slice(limit).filter((e) => !elementPasses(e)).length;
    lines.push(`    … and ${rest} more element${rest === 1 ? '' : 's'} (${restFailing} of them failing)`);
  }
  return lines;
}

export function explainReport(file: string, claim: Claim, result: ClaimResult, tables: ElementTables | null, limit: number, c: Colors): string {
  const where = claim.where ? `  where ${claim.where}` : '';
  const quantifier = claim.quantifier === 'any' ? '  (for some element: quantifier any)' : '';
  const lines = [
    `${c.bold(`${file} › ${claim.id}`)}`,
    `  says:    ${claim.says}`,
    `  claim:   ${claim.lhs} ${claim.rel} ${claim.rhs}${where}${quantifier}`,
    `  verdict: ${result.met ? c.green(describeVerdict(result)) : c.red(c.bold(describeVerdict(result)))}`,
  ];
  if (result.message) lines.push(...result.message.split('\n').map((l) => `  ${l}`));
  const step = describeStep(result);
  if (step) lines.push(`  ${step}: the lhs and rhs in the tables are steps`);
  if (claim.note) lines.push(`  note:    ${claim.note}`);
  if (!tables) {
    lines.push('', 'No element table: neither world judged any element.', `  ${describeWorld(result, 'reference')}`, `  ${describeWorld(result, 'tfjs')}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`  shown:   trial ${tables.trial} (seed ${tables.seed}), the trial of the ${tables.chosenBy} world's worst element`);
  for (const table of tables.worlds) lines.push('', ...worldLines(table, result, claim.rel, limit, c));
  return `${lines.join('\n')}\n`;
}
