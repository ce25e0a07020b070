import fc from 'fast-check';
import { BlockOutcome } from '../../src/claim/blockOutcome';
import { compareSides, flipOutcome, type Outcome } from '../../src/claim/compare';
import { type Quantifier, type Relation } from '../../src/claim/relations';
import { type Sides } from '../../src/claim/sides';
import { sidesArb, tolerance } from '../support/sidesArb';

// Sides judged a block at a time must give what the whole sides give: the outcome, its counts,
// the deciding element, the first kink, the element the estimate decides, the message of the
// first non-finite element, and the vacuity self-test.

const SEED = 20261206; // fixed, so a failure reproduces; fast-check prints the counterexample
const RELATIONS: Relation[] = ['==', '!=', '<', '<=', '>', '>='];
const QUANTIFIERS: Quantifier[] = ['all', 'any'];

/** Dense sides' elements [from, to) as a block (views; `sizes` stay the whole's). */
function blockOf(sides: Sides, from: number, to: number): Sides {
  const cut = <A extends { subarray(a: number, b: number): A }>(a: A | null | undefined): A | null => (a ? a.subarray(from, to) : null);
  const sided = sides.oneSided;
  return {
    vars: sides.vars,
    sizes: sides.sizes,
    offset: from,
    lhs: cut(sides.lhs)!,
    rhs: cut(sides.rhs)!,
    error: cut(sides.error),
    mask: cut(sides.mask),
    scale: sides.scale,
    ...(sides.kink !== undefined ? { kink: cut(sides.kink) } : {}),
    ...(sided ? { oneSided: { forward: { lhs: cut(sided.forward.lhs)!, rhs: cut(sided.forward.rhs)! }, backward: { lhs: cut(sided.backward.lhs)!, rhs: cut(sided.backward.rhs)! } } } : {}),
  };
}

/** Dense sides (the block path's) with their one-sided values where they have kinks, and where to cut them. */
const dense = fc
  .record({ sides: sidesArb(false, 12), cuts: fc.array(fc.nat({ max: 12 }), { maxLength: 4 }) })
  .filter(({ sides }) => !sides.at)
  .map(({ sides, cuts }) => {
    const n = sides.lhs.length;
    const withSided: Sides = sides.kink ? { ...sides, oneSided: { forward: { lhs: sides.lhs.map((v) => v + 1), rhs: sides.rhs }, backward: { lhs: sides.lhs.map((v) => v - 1), rhs: sides.rhs } } } : sides;
    const points = [...new Set(cuts.map((c) => Math.min(c, n)))].sort((a, b) => a - b);
    return { sides: withSided, bounds: [0, ...points, n].filter((b, i, all) => i === 0 || b >= all[i - 1]) };
  });

describe('BlockOutcome', () => {
  it('gives the whole sides’ outcome and self-test, however they are cut into blocks', () => {
    const seen: Record<Outcome, number> = { holds: 0, refuted: 0, error: 0, 'at-kink': 0 };
    let cut = 0;
    fc.assert(
      fc.property(dense, fc.constantFrom(...RELATIONS), fc.constantFrom(...QUANTIFIERS), tolerance, ({ sides, bounds }, rel, quantifier, tol) => {
        const judged = new BlockOutcome(rel, quantifier, tol);
        for (let b = 1; b < bounds.length; b++) judged.add(blockOf(sides, bounds[b - 1], bounds[b]), true);
        const whole = compareSides(sides, rel, quantifier, tol);
        seen[whole.outcome]++;
        if (bounds.length > 3) cut++;
        expect(judged.outcome()).toEqual(whole);
        // the self-test is read only when the claim holds (no block stopped the judging then)
        if (!judged.stopped) expect(judged.flipOutcome()).toBe(flipOutcome(sides, rel, quantifier, tol));
      }),
      { numRuns: 6000, seed: SEED },
    );
    // every outcome is reached, and sides cut into three blocks or more, often
    for (const outcome of Object.keys(seen) as Outcome[]) expect(seen[outcome]).toBeGreaterThan(20);
    expect(cut).toBeGreaterThan(1000);
  });

  it('stops at the first non-finite element, as the loop does', () => {
    const lhs = Float64Array.of(1, 2, NaN, 4, Infinity);
    const sides: Sides = { vars: ['i'], sizes: [5], lhs, rhs: Float64Array.of(1, 2, 3, 4, 5), error: null, mask: null, scale: 1 };
    const judged = new BlockOutcome('==', 'all', { rtol: 0, atol: 0 });
    judged.add(blockOf(sides, 0, 2), true);
    judged.add(blockOf(sides, 2, 4), true);
    expect(judged.stopped).toBe(true);
    judged.add(blockOf(sides, 4, 5), true);
    const outcome = judged.outcome();
    expect(outcome).toEqual(compareSides(sides, '==', 'all', { rtol: 0, atol: 0 }));
    expect(outcome.message).toBe('lhs is NaN at [2]');
  });
});
