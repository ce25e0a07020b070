import fc from 'fast-check';
import { SeededRandom } from '../../src/foundation/random';

// The trial's numbers come from one seeded generator; filling an array of normal draws at once
// must give exactly what as many calls of normal() give, and leave the generator where they do.

describe('SeededRandom.fillNormal', () => {
  it('gives the draws of normal(), rounded to float32, and the same state after', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 300 }), fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), (seed, n, mean, std) => {
        const one = new SeededRandom(seed);
        const expected = Float32Array.from({ length: n }, () => one.normal(mean, std));
        const all = new SeededRandom(seed);
        const out = new Float32Array(n);
        all.fillNormal(out, mean, std);
        expect(Array.from(out)).toEqual(Array.from(expected));
        expect(all.next()).toBe(one.next());
      }),
      { numRuns: 300 },
    );
  });
});
