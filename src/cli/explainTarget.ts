import { nearestName } from '../formula/nearestName';
import { scenarioSourcesOf } from '../run/runFile';
import { formatProblemLong } from '../foundation/problem';
import type { LoadResult } from '../load/loadScenario';
import type { Scenario } from '../scenario/schema';

// Which scenario `derivcheck explain FILE --claim ID` works on: a JSON file's; in a Markdown
// file, the block that has the claim, or the block FILE names as `notes.md:12`.

export type ExplainTarget = { ok: true; name: string; scenario: Scenario; loaded: Extract<LoadResult, { ok: true }> } | { ok: false; message: string };

const BLOCK_NAME = /^(.*\.(?:md|markdown)):(\d+)$/i;

export function explainTarget(arg: string, claimId: string): ExplainTarget {
  const named = BLOCK_NAME.exec(arg);
  const sources = scenarioSourcesOf(named ? named[1] : arg);
  const candidates = named ? sources.filter((s) => s.loaded.file === arg) : sources;
  if (candidates.length === 0) {
    return { ok: false, message: `${named![1]} has no derivcheck block at line ${named![2]}; its blocks: ${sources.map((s) => s.loaded.file).join(', ')}` };
  }
  const holding = candidates.flatMap((s) => (s.loaded.ok && s.loaded.scenario.claims.some((c) => c.id === claimId) ? [{ name: s.loaded.file, scenario: s.loaded.scenario, loaded: s.loaded }] : []));
  if (holding.length === 1) return { ok: true, ...holding[0] };
  if (holding.length > 1) {
    const names = holding.map((h) => h.name);
    return { ok: false, message: `the claim '${claimId}' is in ${names.join(' and ')}: name one, e.g. derivcheck explain ${names[0]} --claim ${claimId}` };
  }
  // not found: the file (or a block) may be invalid; else say which claims there are
  const invalid = candidates.flatMap(({ loaded }) => (loaded.ok ? [] : [`${loaded.file} is not a valid scenario file:\n${loaded.problems.map(formatProblemLong).join('\n')}`]));
  if (invalid.length > 0) return { ok: false, message: invalid.join('\n') };
  const ids = candidates.flatMap((s) => (s.loaded.ok ? s.loaded.scenario.claims.map((c) => c.id) : []));
  const near = nearestName(claimId, ids);
  return { ok: false, message: `${arg} has no claim '${claimId}'${near ? ` (did you mean '${near}'?)` : ''}; its claims: ${ids.join(', ') || 'none'}` };
}
