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

/**
 * Words a derivation may write for a network symbol (src/scenario/network.ts). A misspelt word is
 * far from the one-letter symbol it means ('ouput' is 4 edits from 'o'), so spelling alone
 * never suggests it. `names` picks the symbols the word may mean; the word suggests one only
 * when exactly one of them exists: 'weights' means W1 in a one-layer network, nothing in two.
 * Words that mean different things in different texts ('error' is E or δ, 'activation' any al)
 * are left out: a wrong suggestion is worse than none.
 */
export const SYMBOL_WORDS: readonly { words: readonly string[]; names: RegExp; says: string }[] = [
  { words: ['output', 'outputs', 'prediction', 'predictions', 'yhat', 'y_hat'], names: /^o$/, says: "the network's output" },
  { words: ['target', 'targets', 'label', 'labels'], names: /^y$/, says: 'the targets' },
  { words: ['input', 'inputs'], names: /^x$/, says: 'the inputs' },
  { words: ['loss', 'cost'], names: /^E$/, says: 'the loss' },
  { words: ['weight', 'weights', 'kernel', 'kernels'], names: /^W\d+$/, says: 'the weights' },
  { words: ['bias', 'biases'], names: /^b\d+$/, says: 'the biases' },
  { words: ['batchsize', 'batch_size'], names: /^N$/, says: 'the batch size' },
];

/** Words of 5 characters or more also match with one edit ('ouput', 'lables'); shorter ones only as written. */
const WORD_TYPO_MIN_LENGTH = 5;

/**
 * "did you mean …?" for an unknown symbol: the nearest candidate by spelling (nearestName), and
 * only when none is near, the symbol a word stands for ('ouput' → o, "the network's output").
 */
export function nearestSymbol(name: string, candidates: readonly string[]): { name: string; says?: string } | undefined {
  const near = nearestName(name, candidates);
  if (near !== undefined) return { name: near };
  if (name.length > 64) return undefined;
  const lower = name.toLowerCase();
  let best: { name: string; says: string } | undefined;
  let bestDistance = Infinity;
  let tied = false;
  for (const { words, names, says } of SYMBOL_WORDS) {
    const meant = [...new Set(candidates.filter((c) => names.test(c)))];
    if (meant.length !== 1) continue;
    for (const word of words) {
      const distance = word === lower ? 0 : word.length >= WORD_TYPO_MIN_LENGTH ? editDistance(lower, word) : Infinity;
      if (distance > 1) continue;
      if (distance < bestDistance) {
        best = { name: meant[0], says };
        bestDistance = distance;
        tied = false;
      } else if (distance === bestDistance && best?.name !== meant[0]) {
        tied = true;
      }
    }
  }
  return tied ? undefined : best;
}
