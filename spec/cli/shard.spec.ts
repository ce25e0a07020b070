import { join } from 'node:path';
import { JsonReport } from '../../src/report/jsonReport';
import { parseShard, shardOf, sortedUnique } from '../../src/run/shard';
import { findScenarioFiles } from '../../src/load/findScenarioFiles';
import { ensureCliBuilt, fixtures, root, runCli } from '../support/cli';

// --shard i/n splits the sorted files into n contiguous parts: together the shards run every
// file exactly once, on any machine that sees the same paths.

describe('parseShard', () => {
  it.each([
    ['1/1', { index: 1, count: 1 }],
    ['2/3', { index: 2, count: 3 }],
    [' 3 / 3 ', { index: 3, count: 3 }],
    ['0/3', { error: 'the shard index i must be between 1 and 3' }],
    ['4/3', { error: 'the shard index i must be between 1 and 3' }],
    ['1/0', { error: 'the shard count n must be at least 1' }],
    ['1', { error: 'expected i/n, like 1/3' }],
    ['-1/3', { error: 'expected i/n, like 1/3' }],
    ['1.5/3', { error: 'expected i/n, like 1/3' }],
  ])('%j', (text, expected) => {
    expect(parseShard(text)).toEqual(expected);
  });
});

describe('shardOf', () => {
  const cases = Array.from({ length: 13 }, (_, files) => Array.from({ length: 6 }, (_, c) => [files, c + 1])).flat();
  it.each(cases)('%i files in %i shards: each file once, in order, sizes within one of each other', (files, count) => {
    const all = Array.from({ length: files }, (_, k) => `f${String(k).padStart(2, '0')}.json`);
    const shards = Array.from({ length: count }, (_, i) => shardOf(all, { index: i + 1, count }));
    expect(shards.flat()).toEqual(all);
    const sizes = shards.map((s) => s.length);
    expect({ sizes, balanced: Math.max(...sizes) - Math.min(...sizes) <= 1 }).toEqual({ sizes, balanced: true });
  });

  it('sorts by code units and drops repeats, whatever the order the paths came in', () => {
    expect(sortedUnique(['b/x.json', 'a/Z.json', 'a/b.json', 'b/x.json'])).toEqual(['a/Z.json', 'a/b.json', 'b/x.json']);
  });
});

describe('derivcheck --shard', () => {
  beforeAll(ensureCliBuilt, 300_000);

  it.each([2, 3])('covers every fixture file exactly once across %i shards', async (count) => {
    const runs = await Promise.all(Array.from({ length: count }, (_, i) => runCli([fixtures, '--shard', `${i + 1}/${count}`, '--trials', '1', '--format', 'json'])));
    const files = runs.map((run) => JsonReport.parse(JSON.parse(run.stdout)).scenarios.map((s) => s.file));
    const expected = sortedUnique(findScenarioFiles([join(root, fixtures)])).map((f) => f.slice(root.length + 1));
    expect(files.flat()).toEqual(expected);
    expect(files.map((f) => f.length)).toEqual(Array.from({ length: count }, (_, i) => shardOf(expected, { index: i + 1, count }).length));
    // each shard's exit code is its own files' verdict: 2 for the one with the invalid file
    const codeOf = (shard: string[]) => (shard.some((f) => f.includes('/invalid/')) ? 2 : shard.some((f) => f.includes('/unmet/')) ? 1 : 0);
    expect(runs.map((run, i) => ({ files: files[i], code: run.code }))).toEqual(files.map((shard) => ({ files: shard, code: codeOf(shard) })));
  });
});
