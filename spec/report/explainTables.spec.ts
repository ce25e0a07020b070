import { compareSides } from '../../src/claim/compare';
import { type Sides } from '../../src/claim/sides';
import type { ClaimResult } from '../../src/claim/runScenario';
import { elementTables } from '../../src/report/explainReport';

// explain's element tables judge each element as compareSides does: an element that the
// reference's error estimate would decide (more than half its tolerance, src/claim/compare.ts)
// is counted apart, not shown as a pass.

const tol = { rtol: 0, atol: 1e-8 };
const sides = (lhs: number[], rhs: number[], error: number[] | null): Sides => ({
  vars: ['i'],
  sizes: [lhs.length],
  lhs: Float64Array.from(lhs),
  rhs: Float64Array.from(rhs),
  error: error ? Float64Array.from(error) : null,
  mask: null,
  scale: 1,
});

describe('elementTables', () => {
  it('leaves out (and counts) the elements the estimate would decide, as compareSides does', () => {
    // element 1 is off by 3e-8: passes only with its estimate 1e-7, which is 10× the tolerance
    const reference = sides([1, 2, 3], [1, 2 - 3e-8, 3], [1e-10, 1e-7, 1e-10]);
    const tfjs = sides([1, 2, 3], [1, 2, 3], null);
    const outcome = compareSides(reference, '==', 'all', tol);
    expect(outcome.outcome).toBe('error');
    const world = (s: Sides) => ({ outcome: 'holds' as const, tolerance: tol, worst: { ...compareSides(s, '==', 'all', tol).worst!, trial: 0, seed: 1 }, trialsRefuted: 0, elapsedMs: 0 });
    const result = { id: 'c', says: '', expect: 'holds', verdict: 'error', met: false, indices: ['i'], trials: 1, worlds: { reference: world(reference), tfjs: world(tfjs) }, sides: [{ trial: 0, seed: 1, reference, tfjs }] } as ClaimResult;
    const tables = elementTables(result, { rel: '==' })!;
    const ref = tables.worlds.find((w) => w.world === 'reference')!;
    expect({ selected: ref.selected, imprecise: ref.imprecise, shown: ref.rows.map((r) => r.flat) }).toEqual({ selected: 2, imprecise: 1, shown: [0, 2] });
    const tf = tables.worlds.find((w) => w.world === 'tfjs')!;
    expect({ selected: tf.selected, imprecise: tf.imprecise }).toEqual({ selected: 3, imprecise: 0 });
  });
});
