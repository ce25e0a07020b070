import fc from 'fast-check';
import { matches, parseCondition } from '../../src/sweep/condition';
import { cellIndices, type Axis } from '../../src/sweep/grid';
import { simplestCondition } from '../../src/sweep/simplestCondition';

// "Simplest" is the fewest literals (`axis in {…}`), then the fewest terms, over conditions that
// are an `or` of `and`s. Checked against brute force on small grids: every union of boxes inside
// the cells that hold, cheapest first; and the stated text, read back by the `when` parser,
// matches exactly those cells.

const axesOf = (sizes: number[]): Axis[] => sizes.map((n, k) => ({ name: `a${k}`, path: `p${k}`, values: Array.from({ length: n }, (_, v) => (k % 2 === 0 ? v : `v${v}`)) }));

/** Every box (one nonempty value set per axis) as a bit mask of cells, with its literal count. */
function boxes(sizes: number[]): { mask: number; literals: number }[] {
  const cells = cellIndices(axesOf(sizes));
  let sets: number[][][] = [[]];
  for (const n of sizes) {
    const subsets = Array.from({ length: (1 << n) - 1 }, (_, m) => Array.from({ length: n }, (_, v) => v).filter((v) => (m + 1) & (1 << v)));
    sets = sets.flatMap((prefix) => subsets.map((s) => [...prefix, s]));
  }
  return sets.map((box) => ({
    mask: cells.reduce((m, cell, c) => (cell.every((v, k) => box[k].includes(v)) ? m | (1 << c) : m), 0),
    literals: box.filter((values, k) => values.length < sizes[k]).length,
  }));
}

/** The least (literals, terms) of a union of boxes inside `holds` that covers it: shortest paths over cell masks. */
function bruteForce(sizes: number[], holds: boolean[]): [number, number] {
  const target = holds.reduce((m, h, c) => (h ? m | (1 << c) : m), 0);
  const inside = boxes(sizes).filter((b) => (b.mask & ~target) === 0);
  const best = new Map<number, [number, number]>([[0, [0, 0]]]);
  const less = (a: [number, number], b: [number, number] | undefined) => b === undefined || a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [mask, cost] of [...best]) {
      for (const box of inside) {
        const next: [number, number] = [cost[0] + box.literals, cost[1] + 1];
        if (less(next, best.get(mask | box.mask))) {
          best.set(mask | box.mask, next);
          changed = true;
        }
      }
    }
  }
  return best.get(target)!;
}

const grid = fc
  .array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })
  .filter((sizes) => sizes.reduce((a, b) => a * b, 1) <= 9)
  .chain((sizes) => fc.tuple(fc.constant(sizes), fc.array(fc.boolean(), { minLength: sizes.reduce((a, b) => a * b, 1), maxLength: sizes.reduce((a, b) => a * b, 1) })));

describe('simplestCondition', () => {
  it('is as cheap as the cheapest union of boxes found by brute force, and its text matches exactly the cells that hold', () => {
    fc.assert(
      fc.property(grid, ([sizes, holds]) => {
        const axes = axesOf(sizes);
        const found = simplestCondition(axes, holds);
        if (holds.every(Boolean)) return found.kind === 'every';
        if (!holds.some(Boolean)) return found.kind === 'none';
        if (found.kind !== 'condition') throw new Error(`no condition for ${JSON.stringify({ sizes, holds })}`);
        const parsed = parseCondition(found.text, axes);
        if (!parsed.ok) throw new Error(`${found.text} does not parse: ${parsed.problem.reason}`);
        const cells = cellIndices(axes).map((index) => index.map((v, k) => axes[k].values[v]));
        const matched = cells.map((cell) => matches(parsed.condition, cell));
        expect({ sizes, holds, text: found.text, matched, cost: [found.literals, found.terms.length] }).toEqual({ sizes, holds, text: found.text, matched: holds, cost: bruteForce(sizes, holds) });
        return true;
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it.each<[string, number[], (cell: unknown[]) => boolean, string]>([
    ['one axis', [4, 2], ([a]) => a === 0, 'a0 == 0'],
    ['two values of one axis', [4, 2], ([a]) => a === 0 || a === 2, 'a0 in {0, 2}'],
    ['or of two axes', [3, 2], ([a, b]) => a === 0 || b === 'v1', "a0 == 0 or a1 == 'v1'"],
    ['and, in parentheses next to an or', [3, 2, 2], ([a, b, c]) => (a !== 2 && b === 'v1') || c === 0, "(a0 in {0, 1} and a1 == 'v1') or a2 == 0"],
  ])('%s', (_name, sizes, holdsAt, expected) => {
    const axes = axesOf(sizes);
    const holds = cellIndices(axes).map((index) => holdsAt(index.map((v, k) => axes[k].values[v])));
    const found = simplestCondition(axes, holds);
    expect(found.kind === 'condition' ? found.text : found.kind).toBe(expected);
  });

  it('says unknown, in bounded time, when a large grid has no small condition', () => {
    const axes = axesOf([8, 8, 4]);
    let seed = 1;
    const holds = cellIndices(axes).map(() => ((seed = (seed * 48271) % 2147483647) & 1) === 1);
    const t0 = performance.now();
    const found = simplestCondition(axes, holds);
    expect({ kind: found.kind, fast: performance.now() - t0 < 5000 }).toEqual({ kind: 'unknown', fast: true });
  });
});
