import type { z } from 'zod';
import { renderFormulaError, type FormulaProblem } from '../formula/formulaError';
import type { LoadResult } from './loadScenario';
import { formatPath, type Problem } from '../foundation/problem';
import type { Scenario } from '../scenario/schema';
import { matches, parseCondition, type Condition } from '../sweep/condition';
import { cellCount, cellIndices, cellLabel, type Axis, type SweepGrid } from '../sweep/grid';
import { overlaps, parsePath, pathProblem, setAtPath, type PathStep } from '../sweep/jsonPath';
import { ExpectRules, Sweep, SWEEP_LIMITS } from '../sweep/schema';

// A scenario file with a sweep, read as its cells: the sweep and the rules are checked first;
// then every cell (the file with each axis's value set at its path, `sweep` left out and each
// claim's rules resolved to the cell's verdict) is checked as an ordinary scenario. A problem
// found in some cells only names them.

type Path = (string | number)[];
type Place = Omit<Problem, 'file'>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A problem with a position in a text (a path or a `when`): the reason on the line, the caret below. */
function placed(path: Path, problem: FormulaProblem): Place {
  const [message, ...detail] = renderFormulaError(problem).split('\n');
  return { path, message, detail: detail.join('\n') };
}

/** How the loader words a schema error (loadScenario.ts): given, as the loader calls this file. */
export type SchemaWords = (error: z.ZodError) => Place[];

const under = (prefix: Path, places: Place[]): Place[] => places.map((p) => ({ ...p, path: [...prefix, ...p.path] }));

/** Whether the file needs the sweep reader: it has a sweep, or a claim gives rules for expect. */
export function needsSweep(json: unknown): boolean {
  if (!isObject(json)) return false;
  if (Object.hasOwn(json, 'sweep')) return true;
  return Array.isArray(json.claims) && json.claims.some((c) => isObject(c) && Array.isArray(c.expect));
}

/** The axes, or the problems of the sweep itself: its shape, its paths, their overlaps and the grid's size. */
function readAxes(json: Record<string, unknown>, words: SchemaWords): { axes: Axis[]; steps: PathStep[][] } | { problems: Place[] } {
  if (!Object.hasOwn(json, 'sweep')) {
    const i = (json.claims as unknown[]).findIndex((c) => isObject(c) && Array.isArray(c.expect));
    return { problems: [{ path: ['claims', i, 'expect'], message: 'a list of rules needs a sweep; without one, give one verdict' }] };
  }
  const parsed = Sweep.safeParse(json.sweep);
  if (!parsed.success) return { problems: under(['sweep'], words(parsed.error)) };
  const axes = Object.entries(parsed.data).map(([name, a]) => ({ name, path: a.path, values: a.values as unknown[] }));
  const problems: Place[] = [];
  const steps: PathStep[][] = [];
  for (const axis of axes) {
    const at: Path = ['sweep', axis.name, 'path'];
    const read = parsePath(axis.path);
    if (!read.ok) {
      problems.push(placed(at, read.problem));
      continue;
    }
    const first = read.steps[0];
    const missing = 'key' in first && first.key === 'sweep' ? { formula: axis.path, pos: first.pos, end: first.end, reason: 'a sweep cannot change itself' } : pathProblem(axis.path, read.steps, json);
    if (missing) problems.push(placed(at, missing));
    const other = axes.findIndex((a, k) => k < steps.length && overlaps(steps[k], read.steps));
    if (other >= 0) problems.push({ path: at, message: `sets the same place as axis '${axes[other].name}' (${axes[other].path})` });
    steps.push(read.steps);
  }
  if (problems.length > 0) return { problems };
  const cells = cellCount(axes);
  if (cells > SWEEP_LIMITS.cells) {
    return { problems: [{ path: ['sweep'], message: `this sweep has ${cells} cells (${axes.map((a) => a.values.length).join(' × ')}); the limit is ${SWEEP_LIMITS.cells}` }] };
  }
  return { axes, steps };
}

interface ClaimRules {
  claim: number;
  rules: { when?: string; condition: Condition | null; expect: string }[];
}

/** Every claim's rules, their conditions read over the axes. */
function readRules(json: Record<string, unknown>, axes: Axis[], words: SchemaWords): { rules: ClaimRules[] } | { problems: Place[] } {
  const claims = Array.isArray(json.claims) ? json.claims : [];
  const problems: Place[] = [];
  const rules: ClaimRules[] = [];
  claims.forEach((claim, i) => {
    if (!isObject(claim) || !Array.isArray(claim.expect)) return;
    const parsed = ExpectRules.safeParse(claim.expect);
    if (!parsed.success) {
      problems.push(...under(['claims', i, 'expect'], words(parsed.error)));
      return;
    }
    const read = parsed.data.map((rule, j) => {
      if (rule.when === undefined) return { expect: rule.expect, condition: null };
      const condition = parseCondition(rule.when, axes);
      if (!condition.ok) problems.push(placed(['claims', i, 'expect', j, 'when'], condition.problem));
      return { when: rule.when, expect: rule.expect, condition: condition.ok ? condition.condition : null };
    });
    rules.push({ claim: i, rules: read });
  });
  return problems.length > 0 ? { problems } : { rules };
}

const SHOWN_CELLS = 3;

/** ` (in cell [a=1])`, ` (in cells [a=1], [a=2])`, ` (in 5 cells: [a=1], [a=2], [a=3], …)`; nothing for every cell. */
function cellNote(labels: readonly string[], total: number): string {
  if (labels.length === total) return '';
  if (labels.length === 1) return ` (in cell ${labels[0]})`;
  if (labels.length <= SHOWN_CELLS) return ` (in cells ${labels.join(', ')})`;
  return ` (in ${labels.length} cells: ${labels.slice(0, SHOWN_CELLS).join(', ')}, …)`;
}

/** The same problem in several cells is said once, with the cells it is in. */
function grouped(found: { label: string; problem: Problem }[], total: number): Problem[] {
  const groups = new Map<string, { problem: Problem; labels: string[] }>();
  for (const { label, problem } of found) {
    const key = JSON.stringify([formatPath(problem.path), problem.message, problem.detail ?? '']);
    const group = groups.get(key);
    if (group) group.labels.push(label);
    else groups.set(key, { problem, labels: [label] });
  }
  return [...groups.values()].map(({ problem, labels }) => ({ ...problem, message: `${problem.message}${cellNote(labels, total)}` }));
}

/**
 * Reads a file that has a sweep (needsSweep): its cells, each checked by `check` (the loader's
 * schema, meaning and formula checks; `words` is how it words a schema error); the result's
 * `scenario` is the first cell's.
 */
export function expandSweep(json: Record<string, unknown>, file: string, check: (cell: unknown) => LoadResult, words: SchemaWords): LoadResult {
  const withFile = (places: Place[]): LoadResult => ({ ok: false, file, problems: places.map((p) => ({ file, ...p })) });
  const read = readAxes(json, words);
  if ('problems' in read) return withFile(read.problems);
  const { axes, steps } = read;
  const rules = readRules(json, axes, words);
  if ('problems' in rules) return withFile(rules.problems);

  const indices = cellIndices(axes);
  const found: { label: string; problem: Problem }[] = [];
  const cells: SweepGrid<Scenario>['cells'] = [];
  for (const index of indices) {
    const values = index.map((v, k) => axes[k].values[v]);
    const label = cellLabel(axes, values);
    const cell = structuredClone(json);
    delete cell.sweep;
    axes.forEach((_, k) => setAtPath(cell, steps[k], structuredClone(values[k])));
    let resolved = true;
    for (const { claim, rules: list } of rules.rules) {
      const rule = list.find((r) => r.condition === null || matches(r.condition, values));
      const target = (cell.claims as Record<string, unknown>[])[claim];
      if (rule) target.expect = rule.expect;
      else found.push({ label, problem: { file, path: ['claims', claim, 'expect'], message: 'no rule matches this cell; end the list with a rule without when' } });
      resolved &&= rule !== undefined;
    }
    if (!resolved) continue;
    const loaded = check(cell);
    if (loaded.ok) cells.push({ values, scenario: loaded.scenario });
    else found.push(...loaded.problems.map((problem) => ({ label, problem })));
  }
  if (found.length > 0) return { ok: false, file, problems: grouped(found, indices.length) };
  const written = Object.fromEntries(rules.rules.map(({ claim, rules: list }) => [((json.claims as Record<string, unknown>[])[claim]).id as string, list.map((r) => ({ ...(r.when !== undefined ? { when: r.when } : {}), expect: r.expect }))]));
  return { ok: true, file, scenario: cells[0].scenario, sweep: { axes, cells, rules: written } };
}
