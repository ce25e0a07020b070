// `--shard i/n`: split the scenario files across CI machines the way `jest --shard` does: the
// files are sorted by path and cut into n contiguous parts whose sizes differ by at most one;
// shard i (1-based) runs part i. The same paths on every machine give the same split, and the
// n shards together run every file exactly once.

export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/n`; the message says what is wrong, for commander to print. */
export function parseShard(text: string): Shard | { error: string } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return { error: `expected i/n, like 1/3` };
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) return { error: 'the shard count n must be at least 1' };
  if (index < 1 || index > count) return { error: `the shard index i must be between 1 and ${count}` };
  return { index, count };
}

/** Files sorted by path (code units, the same in every locale), each once. */
export function sortedUnique(files: readonly string[]): string[] {
  return [...new Set(files)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Shard i of n: files[floor((i−1)·N/n), floor(i·N/n)) of the sorted list. */
export function shardOf<T>(sorted: readonly T[], shard: Shard): T[] {
  const start = Math.floor(((shard.index - 1) * sorted.length) / shard.count);
  const end = Math.floor((shard.index * sorted.length) / shard.count);
  return sorted.slice(start, end);
}
