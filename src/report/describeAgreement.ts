import type { AgreementElement, AgreementResult } from '../claim/agreement';
import { cellLabel, type Axis } from '../sweep/grid';
import { formatNumber } from './describeClaim';

// Words for the built-in gradient agreement check: used by every report format and jest.

/** What the check is, as its line in a report names it. */
export const AGREEMENT_NAME = 'gradient agreement';

/** `∂E/∂W1[0,1]` */
const at = (e: Pick<AgreementElement, 'symbol' | 'index'>) => `∂E/∂${e.symbol}${e.index.length > 0 ? `[${e.index.join(',')}]` : ''}`;

/** `∂E/∂W1[0,1] in trial 0 (seed 1): tfjs -0.01, reference -0.02, difference 0.01, allowed 1e-6` */
export function describeAgreementElement(e: AgreementElement): string {
  const where = `${at(e)} in trial ${e.trial} (seed ${e.seed})`;
  if (!Number.isFinite(e.reference)) return `${where}: the reference is ${e.reference} (finite differences found no finite derivative there), tfjs ${formatNumber(e.tfjs)}`;
  return `${where}: tfjs ${formatNumber(e.tfjs)}, reference ${formatNumber(e.reference)}, difference ${formatNumber(e.difference)}, allowed ${formatNumber(e.allowed)}`;
}

/** `agrees, as expected`, `disputed, expected agrees` */
export function describeAgreementVerdict(a: AgreementResult): string {
  return a.met ? `${a.verdict}, as expected` : `${a.verdict}, expected ${a.expect}`;
}

/** What was compared: `∂E/∂ of x, W1, net1, a1, o: 240 elements in 10 trials (W1 at 20 chosen elements of its 401408 per trial)` */
function describeCompared(a: AgreementResult): string {
  const trials = `${a.trials} trial${a.trials === 1 ? '' : 's'}`;
  const sampled = a.sampled.length > 0 ? ` (${a.sampled.map((s) => `${s.symbol} at ${s.compared} chosen elements of its ${s.elements}`).join(', ')}, per trial)` : '';
  return `∂E/∂ of ${a.symbols.join(', ')}: ${a.compared} element${a.compared === 1 ? '' : 's'} in ${trials}${sampled}`;
}

/**
 * The check in one line: what it found and where tfjs's gradient first parts from the
 * reference (for disputed), or what was compared (for agrees).
 */
export function describeAgreementLine(a: AgreementResult): string {
  if (a.verdict === 'error') return `error: ${a.message}`;
  if (a.verdict === 'disputed' && a.first) return `tfjs's own gradient first departs from the reference at ${describeAgreementElement(a.first)}`;
  return `tfjs autodiff agrees with the float64 reference on ${describeCompared(a)}`;
}

/** The lines under the check's line: what departs per symbol, what was compared, the closest element, kinks and unjudged elements. */
export function describeAgreementDetails(a: AgreementResult): string[] {
  const lines: string[] = [];
  if (a.departing.length > 0) lines.push(`departing: ${a.departing.map((d) => `${d.count} element${d.count === 1 ? '' : 's'} of ∂E/∂${d.symbol}`).join(', ')} (over ${a.trials} trial${a.trials === 1 ? '' : 's'})`);
  if (a.verdict !== 'agrees') lines.push(`compared: ${describeCompared(a)}`);
  if (a.worst && a.verdict === 'agrees') lines.push(`closest to its allowance: ${describeAgreementElement(a.worst)}`);
  if (a.kinks) {
    const e = a.kinks.first;
    lines.push(`${a.kinks.count} element${a.kinks.count === 1 ? '' : 's'} at a kink not compared, first ${at(e)} in trial ${e.trial} (seed ${e.seed}): one-sided derivatives ${formatNumber(e.backward)} (backward) and ${formatNumber(e.forward)} (forward), tfjs ${formatNumber(e.tfjs)}`);
  }
  if (a.imprecise) lines.push(`${a.imprecise} element${a.imprecise === 1 ? '' : 's'} not compared: the reference's error estimate would decide ${a.imprecise === 1 ? 'it' : 'them'}`);
  if (a.referenceNotFinite) lines.push(`${a.referenceNotFinite} element${a.referenceNotFinite === 1 ? '' : 's'} not compared: the reference's finite differences gave no finite number there (a pole or an overflow within their steps)`);
  lines.push(`tolerance: rtol ${a.tolerance.rtol}, atol ${a.tolerance.atol} × the larger of the symbol's and the parameters' largest |∂E/∂|`);
  return lines;
}

/** The check over a sweep's cells: how many meet their expectation, and the cells that do not, each labelled. */
export function describeSweepAgreement(axes: readonly Axis[], cells: readonly { values?: unknown[]; agreement: AgreementResult }[]): { met: boolean; line: string; missed: { label: string; agreement: AgreementResult }[] } {
  const missed = cells.filter((c) => !c.agreement.met).map((c) => ({ label: cellLabel(axes, c.values ?? []), agreement: c.agreement }));
  const verdicts = new Set(cells.map((c) => c.agreement.verdict));
  const one = verdicts.size === 1 ? [...verdicts][0] : undefined;
  const line = missed.length > 0 ? `${cells.length - missed.length} of ${cells.length} cells as expected` : one ? `${one} in every cell (${cells.length}), as expected` : `as expected in every cell (${cells.length})`;
  return { met: missed.length === 0, line, missed };
}
