import { rademacher, rademacherEntries, seededSample } from '../../src/reference/sampling';

// The seeded choices of the sampled check: replayable, and the directions' entries the same
// whether written to an array (the directional pass) or drawn one by one (⟨v, rhs⟩, taken
// before the passes so that the rhs can be let go).

describe('rademacher', () => {
  it('has ±1/√m on its support, 0 elsewhere, unit length', () => {
    const support = Int32Array.of(1, 4, 5, 9);
    const v = rademacher(7, 'claim/W1/direction0', 12, support);
    expect(Array.from(v).filter((x, i) => !support.includes(i) && x !== 0)).toEqual([]);
    for (const e of support) expect(Math.abs(v[e])).toBe(0.5);
    expect(v.reduce((t, x) => t + x * x, 0)).toBeCloseTo(1, 15);
  });

  it('draws the entries rademacherEntries gives one by one, in support order', () => {
    for (const support of [null, Int32Array.of(3, 0, 17, 8, 2)]) {
      const n = 20;
      const m = support ? support.length : n;
      const v = rademacher(3, 'c/W1/direction1', n, support);
      const entry = rademacherEntries(3, 'c/W1/direction1', m);
      for (let s = 0; s < m; s++) expect(entry()).toBe(v[support ? support[s] : s]);
    }
  });

  it('rewrites a given array completely (what was in it before does not show)', () => {
    const into = new Float64Array(10).fill(42);
    const v = rademacher(1, 'x', 10, Int32Array.of(2, 3), into);
    expect(v).toBe(into);
    expect(Array.from(v).filter((x) => x === 42)).toEqual([]);
  });

  it('is the same for the same trial and name, and differs with either', () => {
    const a = Array.from(rademacher(5, 'a', 64, null));
    expect(Array.from(rademacher(5, 'a', 64, null))).toEqual(a);
    expect(Array.from(rademacher(6, 'a', 64, null))).not.toEqual(a);
    expect(Array.from(rademacher(5, 'b', 64, null))).not.toEqual(a);
  });
});

describe('seededSample', () => {
  it('gives count distinct indices below n, the same each time', () => {
    const s = seededSample(9, 'elements', 1000, 16);
    expect(new Set(s).size).toBe(16);
    expect(s.every((i) => Number.isInteger(i) && i >= 0 && i < 1000)).toBe(true);
    expect(seededSample(9, 'elements', 1000, 16)).toEqual(s);
  });

  it('takes every index when there are no more than count, and only from `from` when given', () => {
    expect(seededSample(1, 'e', 5, 16)).toEqual([0, 1, 2, 3, 4]);
    const from = [4, 40, 400, 4000, 40000];
    expect(seededSample(1, 'e', 50000, 3, from).every((i) => from.includes(i))).toBe(true);
  });
});
