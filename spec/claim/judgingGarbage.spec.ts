import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { judgeSides } from '../../src/claim/judge';
import type { Relation } from '../../src/claim/relations';
import type { Sides } from '../../src/claim/sides';

// The judging loop reads every element of a claim's sides, at scale millions of them, and must
// leave nothing behind per element: a number V8 boxes in the loop is 16 bytes of garbage per
// element (a constant NaN among the sources of the rhs once made it box every rhs). Judging and
// self-testing 1M elements in both worlds that way is 64 MB of garbage, which no young generation
// holds without a collection; judging them without garbage runs none. So the spec counts the
// collections that run while the loop does.

const n = 1 << 20;

function sides(float32: boolean): Sides {
  const lhs = float32 ? new Float32Array(n) : new Float64Array(n);
  const rhs = float32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lhs[i] = Math.sin(i) * 1e-3;
    rhs[i] = lhs[i] * (1 + 1e-9);
  }
  return { vars: ['i'], sizes: [n], lhs, rhs, error: float32 ? null : new Float64Array(n).fill(1e-15), mask: null, scale: 1e-2 };
}

/** Collections that started while `f` ran (their entries arrive after it, on the event loop). */
async function collectionsDuring(f: () => void): Promise<number> {
  const entries: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const from = performance.now();
  f();
  const to = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  return entries.filter((e) => e.startTime >= from && e.startTime <= to).length;
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

  it('judges and self-tests 1M elements in each world without a collection: nothing is left per element', async () => {
    judgeAll('==')(); // compiled and optimized first
    expect(await collectionsDuring(judgeAll('=='))).toBe(0);
  });

  it('the count sees garbage: 4M small objects made in a loop run collections', async () => {
    const boxed: unknown[] = new Array(16);
    const garbage = () => {
      for (let i = 0; i < 4 * n; i++) boxed[i & 15] = { v: Math.sin(i) };
    };
    expect(await collectionsDuring(garbage)).toBeGreaterThan(0);
  });
});
