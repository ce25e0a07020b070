import { SeededRandom } from '../foundation/random';

// Seeded choices of elements and directions for checks at scale: the same trial and the same
// name always pick the same ones, so a refutation can be replayed.

/** A 31-bit seed from the trial's seed and a name (FNV-1a over the name's characters). */
export function seedFor(trialSeed: number, name: string): number {
  let h = 0x811c9dc5 ^ trialSeed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 1) & 0x7fffffff;
}

/** `count` distinct indices of 0..n−1 (all of them when n ≤ count), or of `from` when given. */
export function seededSample(trialSeed: number, name: string, n: number, count: number, from?: readonly number[]): number[] {
  const pool = from ?? null;
  const size = pool ? pool.length : n;
  if (size <= count) return pool ? [...pool] : Array.from({ length: size }, (_, i) => i);
  const rng = new SeededRandom(seedFor(trialSeed, name));
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(rng.integer(size));
  return [...chosen].map((i) => (pool ? pool[i] : i));
}

/**
 * The entries of a Rademacher direction on m elements (±1/√m), one per call, in the order of its
 * support: the same numbers as rademacher(...) writes, without building the array.
 */
export function rademacherEntries(trialSeed: number, name: string, m: number): () => number {
  const rng = new SeededRandom(seedFor(trialSeed, name));
  const size = 1 / Math.sqrt(m);
  return () => (rng.next() < 0.5 ? -size : size);
}

/** A Rademacher direction (±1/√m on the m elements of `support`, 0 elsewhere): unit length; written into `into` when given (length n). */
export function rademacher(trialSeed: number, name: string, n: number, support: Int32Array | null, into?: Float64Array): Float64Array {
  const v = into && into.length === n ? into.fill(0) : new Float64Array(n);
  // support null: every element 0 … n − 1, in order (the same draws as Int32Array 0 … n − 1)
  const m = support ? support.length : n;
  const entry = rademacherEntries(trialSeed, name, m);
  for (let s = 0; s < m; s++) v[support ? support[s] : s] = entry();
  return v;
}
