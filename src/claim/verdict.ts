import type { Outcome } from './compare';

export type Verdict = 'holds' | 'refuted' | 'disputed' | 'at-kink';
/** A claim's final word: a verdict, or why none could be given. */
export type ClaimVerdict = Verdict | 'vacuous' | 'error';

/**
 * The claim's verdict from each trial's outcome in the two worlds (DESIGN §3): holds when both
 * worlds hold in every trial; refuted when some trial has both refute it (a counterexample both
 * agree on); disputed when no trial does but in some trial the worlds disagree. A trial where
 * every selected element sits at a kink (the reference found them there; neither world judges
 * them) judges nothing; a claim with every trial so is at-kink.
 */
export function verdictOf(trials: readonly { reference: Outcome; tfjs: Outcome }[]): ClaimVerdict {
  if (trials.some((t) => t.reference === 'error' || t.tfjs === 'error')) return 'error';
  const judged = trials.filter((t) => t.reference !== 'at-kink');
  if (judged.length === 0) return 'at-kink';
  if (judged.some((t) => t.reference === 'refuted' && t.tfjs === 'refuted')) return 'refuted';
  if (judged.some((t) => t.reference !== t.tfjs)) return 'disputed';
  return 'holds';
}
