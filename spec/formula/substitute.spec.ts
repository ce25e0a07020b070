// A formula with free indices fixed (src/formula/substitute.ts): what it evaluates to and what it
// prints are both the formula at that slice.

import { checkClaim } from '../../src/formula/check';
import { printFormula } from '../../src/formula/printer';
import { substitute } from '../../src/formula/substitute';
import type { SymbolTable } from '../../src/foundation/symbols';

const table: SymbolTable = {
  symbols: new Map([
    ['x', { shape: [4, 3], kind: 'input' }],
    ['t', { shape: [4], kind: 'integer', classes: 3 }],
    ['N', { shape: [], kind: 'count', value: 4 }],
  ]),
  hasOptimizer: false,
};

function claimOf(lhs: string) {
  const result = checkClaim({ lhs, rhs: '0' }, table);
  if (!result.ok) throw new Error(`does not check: ${lhs}`);
  return result.claim;
}

describe('substitute', () => {
  it.each([
    ['x[n, k] * 2', 'x[1,2] * 2'],
    ['sum(m, x[m, k] * x[n, k])', 'sum(m, x[m,2] * x[1,2])'],
    ['x[n, t[n]]', 'x[1,t[1]]'],
    ['x[N - 1 - n, k]', 'x[N - 1 - 1,2]'],
  ])('prints %s with n = 1, k = 2 as %s', (formula, printed) => {
    const claim = claimOf(formula);
    const [free, forms] = [claim.freeIndices.length, claim.indexForms.size];
    const { expr, checked } = substitute(claim.lhs, claim, new Map([['n', 1], ['k', 2]]));
    expect(printFormula(expr)).toBe(printed);
    // the fixed indices are no longer free; the claim's own maps are left as they were
    expect(checked.freeIndices).toEqual([]);
    expect([claim.freeIndices.length, claim.indexForms.size]).toEqual([free, forms]);
  });

  it('leaves the claim’s pads alone', () => {
    const claim = claimOf('pad(x, 1, 0)[n + 1, k]');
    const before = claim.pads.size;
    const { checked } = substitute(claim.lhs, claim, new Map([['n', 1]]));
    expect(claim.pads.size).toBe(before);
    expect(checked.pads.size).toBe(before + 1);
  });
});
