import { readFileSync } from 'node:fs';
import { offsetOf } from '../scenario/jsonPlaces';
import { checkScenarioJson, lineColumn, parseJsonText, type LoadResult } from './loadScenario';
import type { Problem } from '../foundation/problem';
import type { ScenarioSource } from './scenarioSource';
import { derivcheckBlocks, type FencedBlock } from './fencedBlocks';

// A Markdown derivation (DESIGN §7): each ```derivcheck block holds a scenario, each
// ```derivcheck-claim block one claim added to the scenario block above it. A scenario block is
// checked as a scenario file is, and every problem points at the line and column of the file:
// where JSON.parse stopped for bad JSON, the offending value (or the object that lacks it) else.

type Path = readonly (string | number)[];

interface Group {
  scenario: FencedBlock;
  claims: FencedBlock[];
}

/** A line and column in a block's content, as a line and column of the file. */
function inFile(block: FencedBlock, at: { line: number; column: number }): { line: number; column: number } {
  return { line: block.contentLine + at.line - 1, column: at.column + (block.indents[at.line - 1] ?? 0) };
}

const placeIn = (block: FencedBlock, offset: number) => inFile(block, lineColumn(block.content, offset));

function parseBlock(file: string, block: FencedBlock): { ok: true; json: unknown } | { ok: false; problem: Problem } {
  const parsed = parseJsonText(block.content, file);
  if (parsed.ok) return parsed;
  const { line = 1, column = 1 } = parsed.problem;
  return { ok: false, problem: { ...parsed.problem, ...inFile(block, { line, column }) } };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The scenario of one derivcheck block and the claim blocks under it. */
function loadGroup(file: string, group: Group): ScenarioSource {
  const name = `${file}:${group.scenario.line}`;
  const scenario = parseBlock(file, group.scenario);
  const claims = group.claims.map((block) => parseBlock(file, block));
  const bad = [scenario, ...claims].flatMap((p) => (p.ok ? [] : [p.problem]));
  if (!scenario.ok || bad.length > 0) return { file, loaded: { ok: false, file: name, problems: bad }, claimLines: [] };

  const json = scenario.json;
  const inline = isObject(json) && Array.isArray(json.claims) ? json.claims.length : 0;
  // claim blocks join the scenario's own claims; a `claims` that is no list is the schema's to report
  const joinable = isObject(json) && (json.claims === undefined || Array.isArray(json.claims)) && claims.length > 0;
  const whole = joinable ? { ...json, claims: [...((json.claims as unknown[] | undefined) ?? []), ...claims.map((c) => (c.ok ? c.json : undefined))] } : json;

  /** The place of a path into the whole scenario: in a claim block, or in the scenario block. */
  const place = (path: Path) => {
    const k = path[0] === 'claims' && typeof path[1] === 'number' && joinable ? path[1] - inline : -1;
    const block = k >= 0 ? group.claims[k] : undefined;
    return block ? placeIn(block, offsetOf(block.content, path.slice(2))) : placeIn(group.scenario, offsetOf(group.scenario.content, path));
  };

  const loaded: LoadResult = checkScenarioJson(whole, name);
  if (!loaded.ok) return { file, loaded: { ...loaded, problems: loaded.problems.map((p) => ({ ...p, file, ...place(p.path) })) }, claimLines: [] };
  return { file, loaded, claimLines: loaded.scenario.claims.map((_, i) => place(['claims', i]).line) };
}

/** Every scenario of a Markdown file, in order; problems of the file itself come as an invalid scenario. */
export function loadMarkdownScenarios(file: string): ScenarioSource[] {
  const invalid = (name: string, problems: Problem[]): ScenarioSource => ({ file, loaded: { ok: false, file: name, problems }, claimLines: [] });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return [invalid(file, [{ file, path: [], message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }])];
  }
  const blocks = derivcheckBlocks(text);
  if (blocks.length === 0) {
    return [invalid(file, [{ file, path: [], message: 'no derivcheck block: a scenario in Markdown is a fenced block with the info string derivcheck' }])];
  }
  const orphans: FencedBlock[] = [];
  const groups: Group[] = [];
  for (const block of blocks) {
    const group = groups.at(-1);
    if (block.kind === 'scenario') groups.push({ scenario: block, claims: [] });
    else if (group) group.claims.push(block);
    else orphans.push(block);
  }
  const orphaned = orphans.length > 0
    ? [invalid(`${file}:${orphans[0].line}`, orphans.map((b) => ({ file, path: [], line: b.line, column: 1, message: 'a derivcheck-claim block belongs to the derivcheck scenario block above it, and there is none' })))]
    : [];
  return [...orphaned, ...groups.map((group) => loadGroup(file, group))];
}
