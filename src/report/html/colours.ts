import chroma from 'chroma-js';
import type { ClaimVerdict } from '../../claim/verdict';

// The page's colours, chosen to be read by colour-blind readers too: viridis for values (one
// scale for lhs and rhs of a world, so they compare), PuOr for differences (diverging around 0),
// and verdicts as light tints of the Okabe–Ito palette, always next to their word and mark.

export const SEQUENTIAL = chroma.scale('Viridis');
export const DIVERGING = chroma.scale('PuOr');

/** A value's colour on [lo, hi] (viridis); the middle when the range is empty. */
export function sequentialColour(v: number, lo: number, hi: number): string {
  return SEQUENTIAL(hi > lo ? (v - lo) / (hi - lo) : 0.5).hex();
}

/** A difference's colour on [−m, m] (PuOr, white at 0). */
export function divergingColour(v: number, m: number): string {
  return DIVERGING(m > 0 ? 0.5 + v / (2 * m) : 0.5).hex();
}

/** Stops of a scale for an SVG gradient, from 0 to 1. */
export function gradientStops(scale: chroma.Scale, count = 9): { offset: string; colour: string }[] {
  return Array.from({ length: count }, (_, k) => ({ offset: `${(100 * k) / (count - 1)}%`, colour: scale(k / (count - 1)).hex() }));
}

/** Verdict tints (Okabe–Ito: blue, orange, reddish purple; grey for what is no verdict). */
export const VERDICT_COLOURS: Record<ClaimVerdict, string> = {
  holds: '#cfe4f5',
  refuted: '#fbdcb8',
  disputed: '#ecc9df',
  'at-kink': '#e4e4e4',
  vacuous: '#e4e4e4',
  error: '#e4e4e4',
};

/** Cells that no value fills: not selected by `where`, not checked, or not finite. */
export const EMPTY = { unselected: '#f0f0f0', nonFinite: '#9a9a9a' } as const;
