// "did you mean …?": the closest known name by edit distance (with transpositions).

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

/**
 * The candidate closest to `name`, if it is close enough to be a plausible typo: a case-only
 * difference, or at most 2 edits and fewer edits than the shorter name has characters.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > 64) return undefined; // a typo of a known name is short; keeps the table small
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestNearness = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate);
    const nearness = characterGap(name, candidate);
    if (distance < bestDistance || (distance === bestDistance && nearness < bestNearness)) {
      best = candidate;
      bestDistance = distance;
      bestNearness = nearness;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.min(2, Math.min(name.length, best.length) - 1 / 2);
  return bestDistance <= limit ? best : undefined;
}

/** Ties between equally distant names go to the nearer characters: W3 → W2 rather than W1. */
function characterGap(a: string, b: string): number {
  if (a.length !== b.length) return Infinity;
  let gap = 0;
  for (let i = 0; i < a.length; i++) gap += Math.abs(a.charCodeAt(i) - b.charCodeAt(i));
  return gap;
}
