import type { ClaimResult, WorldSummary } from '../claim/runScenario';
import type { WorldName } from '../claim/tolerances';

// Words for one claim's result: used by jest failure messages and by the text report.

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(7))) : v.toExponential(4);
}

/** `[i=3, j=0]` from the claim's free index names and an element's index values. */
export function formatIndex(names: readonly string[], index: readonly number[]): string {
  return `[${index.map((v, i) => `${names[i] ?? '?'}=${v}`).join(', ')}]`;
}

export function describeWorld(result: ClaimResult, world: WorldName): string {
  const w: WorldSummary = result.worlds[world];
  const tol = `rtol ${w.tolerance.rtol}, atol ${w.tolerance.atol}`;
  if (w.outcome === 'error') return `${world}: error: ${w.message}`;
  const e = w.worst;
  if (!e) return `${world}: ${w.outcome}`;
  const at = `${formatIndex(result.indices, e.index)} in trial ${e.trial} (seed ${e.seed})`;
  const refuted = w.trialsRefuted > 0 ? `, refuted in ${w.trialsRefuted} of ${result.trials} trials` : '';
  return `${world}: ${w.outcome}${refuted}; ${e.passes ? 'closest' : 'worst'} element ${at}: lhs ${formatNumber(e.lhs)}, rhs ${formatNumber(e.rhs)}, difference ${formatNumber(e.difference)}, allowed ${formatNumber(e.allowed)} (${tol})`;
}

/** The multi-line explanation of a claim's verdict against its expectation. */
export function describeClaim(result: ClaimResult): string {
  const head = `${result.id}: verdict ${result.verdict}, expected ${result.expect}${result.met ? '' : ' — NOT MET'}`;
  const lines = [head, `  says: ${result.says}`];
  if (result.message) lines.push(`  ${result.message.replace(/\n/g, '\n  ')}`);
  lines.push(`  ${describeWorld(result, 'reference')}`, `  ${describeWorld(result, 'tfjs')}`);
  if (result.note) lines.push(`  note: ${result.note}`);
  return lines.join('\n');
}
