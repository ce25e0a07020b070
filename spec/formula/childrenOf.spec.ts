import { childrenOf, type Expr } from '../../src/formula/ast';
import { parseFormula } from '../../src/formula/parser';
import { usesDerivatives } from '../../src/claim/sidesOf';

// childrenOf: the one walk over a formula's sub-expressions (usesDerivatives and the lowering
// spec's grad targets both go through it).

const kinds = (nodes: Expr[]) => nodes.map((n) => n.kind);

describe('childrenOf', () => {
  it('gives each kind of node its sub-expressions, in source order', () => {
    const call = parseFormula('sum(n, x[n,i] * -grad(E, W1)[i,j])');
    expect(call.kind).toBe('call');
    const [bound, body] = childrenOf(call);
    expect(kinds([bound, body])).toEqual(['symbol', 'binary']);
    const [left, right] = childrenOf(body);
    expect(kinds([left, right])).toEqual(['index', 'unary']);
    // an index node: its base, then one index expression per axis
    expect(kinds(childrenOf(left))).toEqual(['symbol', 'symbol', 'symbol']);
    const [indexed] = childrenOf(right);
    expect(kinds(childrenOf(indexed))).toEqual(['call', 'symbol', 'symbol']);
    expect(kinds(childrenOf(parseFormula('x[2*i + p, t[n]]')))).toEqual(['symbol', 'binary', 'index']);
    expect(childrenOf(parseFormula('2.5'))).toEqual([]);
    expect(childrenOf(parseFormula('o'))).toEqual([]);
  });

  it('lets usesDerivatives find grad and next at any depth, and nothing else', () => {
    expect(usesDerivatives(parseFormula('sum(n, x[n,i] * -grad(E, W1)[i,j])'))).toBe(true);
    expect(usesDerivatives(parseFormula('1 - next(W2)[j,k]'))).toBe(true);
    expect(usesDerivatives(parseFormula('mean(n, x[n,i] * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))'))).toBe(false);
  });
});
