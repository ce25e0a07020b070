import { runScenario } from '../../src/claim/runScenario';
import type { ClaimVerdict } from '../../src/claim/verdict';
import { formatProblem } from '../../src/foundation/problem';
import { parseScenarioText } from '../../src/load/loadScenario';
import { computationOf } from '../../src/scenario/computationOf';
import { Verdict } from '../../src/scenario/schema';

/** Every verdict a claim may end in: a scenario's, and the two no scenario can expect. */
const VERDICTS: readonly ClaimVerdict[] = [...Verdict.options, 'vacuous', 'error'];

/**
 * What a mutated scenario JSON gives: 'fine' when it loads into one-line problems placed in the
 * file, or into a scenario that runs (only when `mayRun()` allows and it has at most 10,000
 * numbers) with a known verdict for every claim, met exactly when the verdict is the expected one;
 * else what went wrong. `refused` and `ran` say which way it went.
 */
export function mutatedOutcome(json: unknown, mayRun: () => boolean): { outcome: string; refused: boolean; ran: boolean } {
  try {
    const loaded = parseScenarioText(JSON.stringify(json), 'mutated.json');
    if (!loaded.ok) {
      const lines = loaded.problems.map(formatProblem);
      const placed = lines.length > 0 && lines.every((l) => l.startsWith('mutated.json') && !l.includes('\n'));
      return { outcome: placed ? 'fine' : `bad problems: ${JSON.stringify(lines)}`, refused: true, ran: false };
    }
    if (computationOf(loaded.scenario).numbers > 10_000 || !mayRun()) return { outcome: 'fine', refused: false, ran: false };
    const results = runScenario(loaded.scenario, { trials: 1 });
    const bad = results.filter((r) => !VERDICTS.includes(r.verdict) || r.met !== (r.verdict === r.expect));
    const consistent = results.length === loaded.scenario.claims.length && bad.length === 0;
    return { outcome: consistent ? 'fine' : `inconsistent results: ${JSON.stringify(bad.map((r) => [r.id, r.verdict, r.met]))}`, refused: false, ran: true };
  } catch (e) {
    return { outcome: `threw ${(e as Error)?.name}: ${(e as Error)?.message}`, refused: false, ran: false };
  }
}
