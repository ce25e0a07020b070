import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { expandSweep, needsSweep } from './expandSweep';
import type { SweepGrid } from '../sweep/grid';
import { checkMeaning } from '../scenario/checkMeaning';
import { checkFormulas } from '../scenario/computationOf';
import { formatPath, type Problem } from '../foundation/problem';
import { Scenario } from '../scenario/schema';

export type LoadResult =
  /** a file with a sweep has its cells in `sweep`, and its first cell in `scenario` */
  | { ok: true; file: string; scenario: Scenario; sweep?: SweepGrid<Scenario> }
  | { ok: false; file: string; problems: Problem[] };

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Whether JSON.parse rejects a character inside text[0, end) (not merely the text ending early). */
function rejectsBefore(text: string, end: number): boolean {
  try {
    JSON.parse(text.slice(0, end));
    return false;
  } catch (e) {
    const message = (e as Error).message;
    const position = / at position (\d+)/.exec(message);
    if (position) return Number(position[1]) < end;
    return !message.startsWith('Unexpected end of JSON input');
  }
}

/**
 * Offset of the character JSON.parse rejects. V8 names it in most messages but not in
 * "Unexpected token 'x', "…" is not valid JSON"; there the shortest prefix it rejects ends at it.
 */
function jsonErrorOffset(text: string, message: string): number {
  const position = / at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  if (!rejectsBefore(text, text.length)) return text.length;
  let lo = 0;
  let hi = text.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (rejectsBefore(text, mid)) hi = mid;
    else lo = mid;
  }
  return hi - 1;
}

/** The reason alone, on one line: V8 appends the position, or a quoted stretch of the text. */
function jsonReason(message: string): string {
  const token = /^Unexpected token '([\s\S]{1,2}?)', [\s\S]* is not valid JSON$/.exec(message);
  if (token) return `Unexpected token '${JSON.stringify(token[1]).slice(1, -1)}'`;
  return message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ at position \d+.*$/s, '')
    .replace(/^JSON\.parse: /, '')
    .replace(/\s*\n\s*/g, ' ');
}

function jsonProblem(file: string, text: string, error: Error): Problem {
  return { file, path: [], message: `invalid JSON: ${jsonReason(error.message)}`, ...lineColumn(text, jsonErrorOffset(text, error.message)) };
}

function schemaMessage(issue: z.core.$ZodIssue): string {
  // zod says "Invalid input: expected object, received undefined" for a field that is not there
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return `missing (${issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})`;
  // zod says only "Invalid key in record"; the key's own check says why
  if (issue.code === 'invalid_key' && issue.issues[0]) return `invalid name: ${issue.issues[0].message}`;
  return issue.message;
}

type Path = (string | number)[];
const pathOf = (path: readonly PropertyKey[]): Path => path.map((p) => (typeof p === 'symbol' ? String(p) : p));

/**
 * A tensor spec's union error (schema.ts) names the failing place inside the spec at the front
 * of its message, "values[0]: reason"; that place belongs to the path, so the problem prints as
 * one path, data.x.values[0][1]: reason. Only a message made exactly that way is taken apart.
 */
function unionProblem(issue: z.core.$ZodIssue, path: Path): { path: Path; message: string } | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  for (const branch of issue.errors) {
    const inner = branch[0];
    if (inner === undefined || inner.path.length === 0) continue;
    const innerPath = pathOf(inner.path);
    if (issue.message === `${formatPath(innerPath)}: ${inner.message}`) return deepestPlace(inner, [...path, ...innerPath]);
  }
  return undefined;
}

/**
 * A nested-array union fails at the element it cannot read, one level down each time, with the
 * same message: follow it to that element (values[0] → values[0][1]) while exactly one branch
 * went deeper.
 */
function deepestPlace(issue: z.core.$ZodIssue, path: Path): { path: Path; message: string } {
  while (issue.code === 'invalid_union') {
    const deeper = issue.errors.map((branch) => branch[0]).filter((inner) => inner !== undefined && inner.path.length > 0);
    if (deeper.length !== 1 || deeper[0].message !== issue.message) break;
    path = [...path, ...pathOf(deeper[0].path)];
    issue = deeper[0];
  }
  return { path, message: issue.message };
}

function schemaProblems(file: string, error: z.ZodError): Problem[] {
  return error.issues.map((issue) => {
    const path = pathOf(issue.path);
    return { file, ...(unionProblem(issue, path) ?? { path, message: schemaMessage(issue) }) };
  });
}

/** zod drops a record key named '__proto__' without a word; a constant of that name would vanish. */
function protoConstant(json: unknown): Omit<Problem, 'file'> | undefined {
  if (typeof json !== 'object' || json === null || !Object.hasOwn(json, 'constants')) return undefined;
  const constants = (json as { constants: unknown }).constants;
  if (typeof constants !== 'object' || constants === null || !Object.hasOwn(constants, '__proto__')) return undefined;
  return { path: ['constants', '__proto__'], message: "'__proto__' cannot name a constant" };
}

export type JsonText = { ok: true; json: unknown } | { ok: false; problem: Problem };

/** JSON text parsed, or the problem with the line and column JSON.parse stopped at. */
export function parseJsonText(text: string, file: string): JsonText {
  // editors on Windows may save a byte order mark; JSON.parse refuses it
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (e) {
    return { ok: false, problem: jsonProblem(file, text, e as Error) };
  }
}

/**
 * Validates a parsed scenario: the schema, the meaning checks, then (for a scenario that passed
 * those) the computation's definitions and every claim's formulas.
 */
export function checkScenarioJson(json: unknown, file: string): LoadResult {
  const proto = protoConstant(json);
  if (proto) return { ok: false, file, problems: [{ file, ...proto }] };
  if (needsSweep(json)) return expandSweep(json as Record<string, unknown>, file, (cell) => checkOneScenario(cell, file), (error) => schemaProblems(file, error));
  return checkOneScenario(json, file);
}

/** The schema, meaning and formula checks of one scenario (a sweep's cell, or a file without a sweep). */
function checkOneScenario(json: unknown, file: string): LoadResult {
  const parsed = Scenario.safeParse(json);
  if (!parsed.success) return { ok: false, file, problems: schemaProblems(file, parsed.error) };
  const meaning = checkMeaning(parsed.data);
  const more = meaning.length === 0 ? checkFormulas(parsed.data) : [];
  const problems = [...meaning, ...more].map((p) => ({ file, ...p }));
  return problems.length > 0 ? { ok: false, file, problems } : { ok: true, file, scenario: parsed.data };
}

/** Parses and validates scenario text (see checkScenarioJson). */
export function parseScenarioText(text: string, file: string): LoadResult {
  const parsed = parseJsonText(text, file);
  return parsed.ok ? checkScenarioJson(parsed.json, file) : { ok: false, file, problems: [parsed.problem] };
}

export function loadScenarioFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, file, problems: [{ file, path: [], message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  return parseScenarioText(text, file);
}
