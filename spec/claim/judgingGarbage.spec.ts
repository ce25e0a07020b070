import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { judgeSides } from '../../src/claim/judge';
import type { Relation } from '../../src/claim/relations';
import type { Sides } from '../../src/claim/sides';

// The judging loop reads every element of a claim's sides, at scale millions of them, and must
// leave nothing behind per element: a number V8 boxes in the loop is 16 bytes of garbage per
// element (a constant NaN among the sources of the rhs once made it box every rhs). Judging and
// self-testing 512k elements in both worlds, twice, that way is 64 MB of garbage, which the young
// generation collects several times over; judged without garbage, it needs no collection. So the
// spec counts the young-generation collections while the loop runs (one that something else set
// off is allowed; a major one already under way is not counted).

const n = 1 << 19;

function sides(float32: boolean): Sides {
  const lhs = float32 ? new Float32Array(n) : new Float64Array(n);
  const rhs = float32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lhs[i] = Math.sin(i) * 1e-3;
    rhs[i] = lhs[i] * (1 + 1e-9);
  }
  return { vars: ['i'], sizes: [n], lhs, rhs, error: float32 ? null : new Float64Array(n).fill(1e-15), mask: null, scale: 1e-2 };
}

/** Young-generation collections that started while `f` ran (their entries arrive after it, on the event loop). */
async function collectionsDuring(f: () => void): Promise<number> {
  // what the set-up left to collect goes first
  await new Promise((resolve) => setTimeout(resolve, 100));
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const from = performance.now();
  f();
  const to = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  const minor = (e: PerformanceEntry) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
  return entries.filter((e) => minor(e) && e.startTime >= from && e.startTime <= to).length;
}

describe('the judging loop', () => {
  const worlds = [sides(false), sides(true)];
  const tolerance = { rtol: 1e-7, atol: 1e-8 };
  const judgeAll = (rel: Relation) => () => {
    for (const s of worlds) {
      judgeSides(s, rel, 'all', tolerance);
      judgeSides(s, rel, 'all', tolerance, { movedRhs: true });
    }
  };

  it('judges and self-tests 512k elements in each world, twice, without collecting: nothing is left per element', async () => {
    judgeAll('==')(); // compiled and optimized first
    expect(
      await collectionsDuring(() => {
        judgeAll('==')();
        judgeAll('==')();
      }),
    ).toBeLessThanOrEqual(1);
  });

  it('the count sees garbage: 2M small objects made in a loop run collections', async () => {
    const boxed: unknown[] = new Array(16);
    const garbage = () => {
      for (let i = 0; i < 4 * n; i++) boxed[i & 15] = { v: Math.sin(i) };
    };
    expect(await collectionsDuring(garbage)).toBeGreaterThan(1);
  });
});
