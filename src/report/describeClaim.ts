import type { ClaimResult, WorldSummary, WorstElement } from '../claim/runScenario';
import type { WorldName } from '../claim/tolerances';
import { describeKinks } from '../claim/compare';
import { formatPath } from '../foundation/problem';
import type { Note } from '../scenario/scenarioNotes';

// Words for one claim's result: used by jest failure messages and by every report format.

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(7))) : v.toExponential(4);
}

/** `note: constants.G[0][1]: 0.1 is not a float32 number: …` */
export function describeNote(note: Note): string {
  const path = formatPath(note.path);
  return `note: ${path === '' ? '' : `${path}: `}${note.message}`;
}

/** `[i=3, j=0]` from the claim's free index names and an element's index values. */
export function formatIndex(names: readonly string[], index: readonly number[]): string {
  return `[${index.map((v, i) => `${names[i] ?? '?'}=${v}`).join(', ')}]`;
}

/** Where the deciding element is: `element [i=3, j=0]`, `the value` (no free index), or `random direction 1` (a sampled check). */
export function describeAt(result: ClaimResult, e: WorstElement): string {
  if (e.check === 'direction') return `random direction ${e.direction ?? 0}`;
  return result.indices.length > 0 ? `element ${formatIndex(result.indices, e.index)}` : 'the value';
}

/** What the at-kink outcome means, in the words every report uses. */
export const AT_KINK_WORDS = 'every selected element sits at a kink in every trial: nothing judged';

export function describeWorld(result: ClaimResult, world: WorldName): string {
  const w: WorldSummary = result.worlds[world];
  const tol = `rtol ${w.tolerance.rtol}, atol ${w.tolerance.atol}`;
  if (w.outcome === 'error') return `${world}: error: ${w.message}`;
  if (w.outcome === 'at-kink') return `${world}: ${AT_KINK_WORDS}${describeWorldKinks(result, w)}`;
  const e = w.worst;
  if (!e) return `${world}: ${w.outcome}${describeWorldKinks(result, w)}`;
  const refuted = w.trialsRefuted > 0 ? `, refuted in ${w.trialsRefuted} of ${result.trials} trials` : '';
  const coverage = w.coverage ? ` (a large gradient: ${w.coverage.checked} of ${w.coverage.elements} elements differentiated one by one, ${w.coverage.directions} random directions per trial)` : '';
  return `${world}: ${w.outcome}${refuted}${coverage}; ${e.passes ? 'closest' : 'worst'} ${describeAt(result, e)} in trial ${e.trial} (seed ${e.seed}): lhs ${formatNumber(e.lhs)}, rhs ${formatNumber(e.rhs)}, difference ${formatNumber(e.difference)}, allowed ${formatNumber(e.allowed)} (${tol})${describeWorldKinks(result, w)}`;
}

/**
 * `; 1 element at a kink [i=0, j=0] (lhs from one-sided derivatives 0 (backward) and 1 (forward)) not judged (first in trial 0)`,
 * and `; 2 elements not judged: the reference's error estimate would decide them (largest 1e-7 vs tolerance 1e-8 at [i=0], trial 0)`, or nothing.
 */
export function describeWorldKinks(result: ClaimResult, w: WorldSummary): string {
  const kinks = w.kinks ? `; ${describeKinks({ ...w.kinks.first, count: w.kinks.count }, result.indices)} not judged (first in trial ${w.kinks.trial}, seed ${w.kinks.seed})` : '';
  if (!w.imprecise) return kinks;
  const p = w.imprecise;
  const at = p.first.index.length > 0 ? ` at [${p.first.index.map((v, i) => `${result.indices[i] ?? '?'}=${v}`).join(', ')}]` : '';
  const them = p.count === 1 ? 'it' : 'them';
  return `${kinks}; ${p.count} element${p.count === 1 ? '' : 's'} not judged: the reference's error estimate would decide ${them} (largest ${formatNumber(p.first.estimate)} vs tolerance ${formatNumber(p.first.tolerance)}${at}, trial ${p.trial}, seed ${p.seed})`;
}

/** The deciding element in a few words: `[i=8, j=0] in trial 5: lhs 0, rhs -0.09705557, difference 0.09705557`. */
export function describeWorst(result: ClaimResult, world: WorldName): string {
  const w: WorldSummary = result.worlds[world];
  if (w.outcome === 'error') return `error: ${w.message}`;
  if (w.outcome === 'at-kink') return AT_KINK_WORDS;
  const e = w.worst;
  if (!e) return w.outcome;
  const at = e.check === 'direction' || result.indices.length > 0 ? `${describeAt(result, e).replace(/^element /, '')} in trial ${e.trial}` : `trial ${e.trial}`;
  return `${at}: lhs ${formatNumber(e.lhs)}, rhs ${formatNumber(e.rhs)}, difference ${formatNumber(e.difference)}`;
}

/** `refuted, as expected` or `holds, expected refuted`. */
export function describeVerdict(result: ClaimResult): string {
  return result.met ? `${result.verdict}, as expected` : `${result.verdict}, expected ${result.expect}`;
}

/** `judged on the step: next(W1) − W1 against rhs − W1`, for a claim whose lhs is next(P)[…]; else undefined. */
export function describeStep(result: ClaimResult): string | undefined {
  const p = result.judgedOnStep;
  return p === undefined ? undefined : `judged on the step: next(${p}) − ${p} against rhs − ${p}`;
}

/** The lines under a claim's head: its statement, why, how it is judged, each world, and its note. */
export function describeClaimDetails(result: ClaimResult): string[] {
  const lines = [`says: ${result.says}`];
  if (result.message) lines.push(...result.message.split('\n'));
  const step = describeStep(result);
  if (step) lines.push(`${step} (the lhs and rhs below are steps)`);
  lines.push(describeWorld(result, 'reference'), describeWorld(result, 'tfjs'));
  if (result.note) lines.push(`note: ${result.note}`);
  return lines;
}

/** The multi-line explanation of a claim's verdict against its expectation. */
export function describeClaim(result: ClaimResult): string {
  const head = `${result.id}: verdict ${result.verdict}, expected ${result.expect}${result.met ? '' : ' — NOT MET'}`;
  return [head, ...describeClaimDetails(result).map((line) => `  ${line}`)].join('\n');
}
