import type { Expr } from '../../src/formula/ast';
import { checkClaim, CheckedClaim } from '../../src/formula/check';
import type { SymbolInfo, SymbolKind, SymbolTable } from '../../src/foundation/symbols';
import { printSexpr } from '../support/printSexpr';

// The DESIGN example: 10 inputs, layers of 20 and 2 units, batch 1, one constant G.
function table(hasOptimizer = true): SymbolTable {
  const entries: [string, number[], SymbolKind][] = [
    ['x', [1, 10], 'input'],
    ['a0', [1, 10], 'input'],
    ['W1', [10, 20], 'parameter'],
    ['W2', [20, 2], 'parameter'],
    ['b1', [20], 'parameter'],
    ['net1', [1, 20], 'intermediate'],
    ['a1', [1, 20], 'intermediate'],
    ['net2', [1, 2], 'intermediate'],
    ['a2', [1, 2], 'intermediate'],
    ['o', [1, 2], 'intermediate'],
    ['y', [1, 2], 'target'],
    ['E', [], 'loss'],
    ['N', [], 'count'],
    ['G', [1, 2], 'constant'],
  ];
  return { symbols: new Map<string, SymbolInfo>(entries.map(([name, shape, kind]) => [name, { shape, kind }])), hasOptimizer };
}

interface Texts {
  lhs: string;
  rhs: string;
  where?: string;
}

function checked(texts: Texts, hasOptimizer = true): CheckedClaim {
  const result = checkClaim(texts, table(hasOptimizer));
  if (!result.ok) throw new Error(`expected ${JSON.stringify(texts)} to check, got (${result.field}) ${result.error.message}`);
  return result.claim;
}

/** Sizes of the binding calls, printed and sorted: `mean n:1`, `sum k:2`. */
function sizes(claim: CheckedClaim): string[] {
  const out: string[] = [];
  for (const [node, size] of claim.boundSizes) {
    if (node.kind === 'call' && node.args[0].kind === 'symbol') out.push(`${node.name} ${node.args[0].name}:${size}`);
  }
  return out.sort();
}

/** Nodes of lhs, rhs and where that have no entry in claim.freeVars (should be none). */
function nodesWithoutFreeVars(claim: CheckedClaim): string[] {
  const missing: string[] = [];
  const walk = (e: Expr): void => {
    if (!claim.freeVars.has(e)) missing.push(printSexpr(e));
    if (e.kind === 'index') walk(e.base);
    if (e.kind === 'unary') walk(e.operand);
    if (e.kind === 'binary') [e.left, e.right].forEach(walk);
    if (e.kind === 'call') e.args.forEach(walk);
  };
  [claim.lhs, claim.rhs, ...(claim.where ? [claim.where] : [])].forEach(walk);
  return missing;
}

describe('checkClaim: good claims', () => {
  it.each<[Texts, string, string[]]>([
    // claim, free indices with sizes, sizes of sum/mean/delta nodes
    [{ lhs: 'grad(E, W1)[i,j]', rhs: 'x[0,i] * sum(k, (o[0,k] - 1) * W2[j,k])' }, 'i:10 j:20', ['sum k:2']],
    [{ lhs: 'grad(E, W1)[i,j]', rhs: 'x[0,i] * sum(k, (o[0,k] - y[0,k]) * W2[j,k])' }, 'i:10 j:20', ['sum k:2']],
    [{ lhs: 'grad(E, W1)[i,j]', rhs: 'mean(n, x[n,i] * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))' }, 'i:10 j:20', ['mean n:1', 'sum k:2']],
    [{ lhs: 'grad(E, net1)[n,j]', rhs: 'a1[n,j] * (1 - a1[n,j])' }, 'n:1 j:20', []],
    [{ lhs: 'grad(-log(1 - o[0,k]), W2)[j,k]', rhs: 'a1[0,j] * o[0,k]', where: 'k != 0' }, 'k:2 j:20', []],
    [{ lhs: 'grad(E, net2)[0,k]', rhs: 'o[0,k] - 1', where: 'y[0,k] == 1' }, 'k:2', []],
    [{ lhs: 'grad(E, W1)[i,j]', rhs: 'x[0,i] * grad(E, net1)[0,j]' }, 'i:10 j:20', []],
    [{ lhs: 'next(W2)[j,k]', rhs: 'W2[j,k] - 0.1 * grad(E, W2)[j,k]' }, 'j:20 k:2', []],
    [{ lhs: 'next(b1)[j]', rhs: 'b1[j]' }, 'j:20', []],
    [{ lhs: 'grad(E, E)', rhs: '1' }, '', []],
    [{ lhs: 'E', rhs: 'mean(n, -log(o[n,0]))' }, '', ['mean n:1']],
    [{ lhs: 'grad(E, W2)[j,k]', rhs: 'sum(m, a1[0,j] * (o[0,m] - y[0,m]) * delta(m, k))' }, 'j:20 k:2', ['sum m:2']],
    [{ lhs: 'delta(i, j) * W1[i,j]', rhs: '0' }, 'i:10 j:20', []],
    [{ lhs: 'delta(i, j)', rhs: 'W1[i,0] * x[0,j]' }, 'i:10 j:10', []],
    [{ lhs: 'sum(k, o[0,k])', rhs: '1' }, '', ['sum k:2']],
    [{ lhs: 'o[0,k]', rhs: 'G[0,k] + N / 2^-1' }, 'k:2', []],
    [{ lhs: 'W1[i,j]', rhs: 'W1[i,j]', where: 'i == j and not (x[0,i] < 0.5 or sum(k, o[0,k]) > 2)' }, 'i:10 j:20', ['sum k:2']],
    [{ lhs: 'exp(log(sqrt(abs(sigmoid(tanh(relu(step(x[0,i]))))))))', rhs: 'a0[0,i]' }, 'i:10', []],
    [{ lhs: 'sum(k, sum(k, W2[k,0]) * o[0,k])', rhs: '0' }, '', ['sum k:2', 'sum k:20']],
    // index expressions: a range from the valid rule (DESIGN §6), explicit padding, a gather by an integer tensor
    [{ lhs: 'x[0,i+2]', rhs: '0' }, 'i:8', []],
    [{ lhs: 'x[0,2*i]', rhs: '0' }, 'i:5', []],
    [{ lhs: 'W1[2*i+1, j]', rhs: '0' }, 'i:5 j:20', []],
    [{ lhs: 'sum(p, x[0,i+p] * W1[p,0])', rhs: '0' }, 'i:1', ['sum p:10']],
    [{ lhs: 'sum(p, pad(W1, 1, 0)[i+p, j] * x[0,p])', rhs: 'W1[0,0]' }, 'i:3 j:20', ['sum p:10']],
    [{ lhs: 'maxover(k, o[0,k]) - minover(k, o[0,k])', rhs: 'max(o[0,0], o[0,1]) - min(o[0,0], o[0,1])' }, '', ['maxover k:2', 'minover k:2']],
    [{ lhs: 'ind(k != 0) * o[0,k]', rhs: 'o[0,k] * (1 - delta(k, 0))' }, 'k:2', []],
  ])('%j → %s', (texts, free, expectedSizes) => {
    const claim = checked(texts);
    expect({
      free: claim.freeIndices.map(({ name, size }) => `${name}:${size}`).join(' '),
      sizes: sizes(claim),
      nodesWithoutFreeVars: nodesWithoutFreeVars(claim),
    }).toEqual({ free, sizes: expectedSizes, nodesWithoutFreeVars: [] });
  });

  it('keeps the parsed trees', () => {
    const claim = checked({ lhs: 'grad(E, W1)[i,j]', rhs: 'x[0,i]', where: 'i > 2' });
    expect([claim.lhs, claim.rhs, claim.where].map((e) => e && printSexpr(e))).toEqual([
      '(index (grad E W1) i j)', '(index x 0 i)', '(> i 2)',
    ]);
  });

  it('leaves where out when there is none', () => {
    expect('where' in checked({ lhs: 'E', rhs: '1' })).toBe(false);
  });

  it('marks index variables used as values in where', () => {
    const claim = checked({ lhs: 'o[0,k]', rhs: '1', where: 'k == 0 and y[0,k] > 0' });
    expect([...claim.indexValues].map(printSexpr)).toEqual(['k']);
  });
});

describe('checkClaim: free variables of every node', () => {
  function freeVarsOf(claim: CheckedClaim, root: Expr): string[] {
    const out: string[] = [];
    const walk = (e: Expr): void => {
      out.push(`${printSexpr(e)} → [${(claim.freeVars.get(e) ?? ['MISSING']).join(',')}]`);
      if (e.kind === 'index') walk(e.base);
      if (e.kind === 'unary') walk(e.operand);
      if (e.kind === 'binary') [e.left, e.right].forEach(walk);
      if (e.kind === 'call') e.args.forEach(walk);
    };
    walk(root);
    return out;
  }

  it('lists them in order of first appearance; sum leaves out its bound variable', () => {
    const claim = checked({ lhs: 'grad(E, W1)[i,j]', rhs: 'x[0,i] * sum(k, (o[0,k] - 1) * W2[j,k])' });
    expect(freeVarsOf(claim, claim.rhs)).toEqual([
      '(* (index x 0 i) (sum k (* (- (index o 0 k) 1) (index W2 j k)))) → [i,j]',
      '(index x 0 i) → [i]',
      'x → []',
      '(sum k (* (- (index o 0 k) 1) (index W2 j k))) → [j]',
      'k → [k]',
      '(* (- (index o 0 k) 1) (index W2 j k)) → [k,j]',
      '(- (index o 0 k) 1) → [k]',
      '(index o 0 k) → [k]',
      'o → []',
      '1 → []',
      '(index W2 j k) → [j,k]',
      'W2 → []',
    ]);
  });

  it('keeps the free indices of F free in grad(F, Q)', () => {
    const claim = checked({ lhs: 'grad(-log(1 - o[0,k]), W2)[j,k]', rhs: 'delta(j, k)' });
    expect(freeVarsOf(claim, claim.lhs).slice(0, 4)).toEqual([
      '(index (grad (neg (log (- 1 (index o 0 k)))) W2) j k) → [k,j]',
      '(grad (neg (log (- 1 (index o 0 k)))) W2) → [k]',
      '(neg (log (- 1 (index o 0 k)))) → [k]',
      '(log (- 1 (index o 0 k))) → [k]',
    ]);
    expect(freeVarsOf(claim, claim.rhs)).toEqual(['(delta j k) → [j,k]', 'j → [j]', 'k → [k]']);
  });
});

describe('checkClaim: errors', () => {
  /** [claim, field, the field's formula with the caret line under it, reason] */
  it.each<[Texts, string, string, string]>([
    // names
    [{ lhs: 'grad(E, W1)[i,j]', rhs: 'x[0,i] * W3[j,k]' }, 'rhs',
     '         ^^',
     "unknown symbol 'W3' (did you mean 'W2'?)"],
    [{ lhs: 'w1[i,j]', rhs: '1' }, 'lhs',
     '^^',
     "unknown symbol 'w1' (did you mean 'W1'?)"],
    [{ lhs: 'foo', rhs: '1' }, 'lhs',
     '^^^',
     "unknown symbol 'foo'"],
    [{ lhs: 'E', rhs: 'constructor + __proto__' }, 'rhs',
     '^^^^^^^^^^^',
     "unknown symbol 'constructor'"],
    [{ lhs: 'E', rhs: '__proto__[0]' }, 'rhs',
     '^^^^^^^^^',
     "unknown symbol '__proto__'"],
    [{ lhs: 'toString(E)', rhs: '1' }, 'lhs',
     '^^^^^^^^^^^',
     "unknown function 'toString'"],
    [{ lhs: 'E', rhs: 'process + this' }, 'rhs',
     '^^^^^^^',
     "unknown symbol 'process'"],
    // a word for a symbol, misspelt or not, when no symbol is spelt near it
    [{ lhs: 'ouput[n,k]', rhs: '1' }, 'lhs',
     '^^^^^',
     "unknown symbol 'ouput' (did you mean 'o', the network's output?)"],
    [{ lhs: 'o[0,k]', rhs: 'labels[0,k]' }, 'rhs',
     '^^^^^^',
     "unknown symbol 'labels' (did you mean 'y', the targets?)"],
    [{ lhs: 'Loss', rhs: '1' }, 'lhs',
     '^^^^',
     "unknown symbol 'Loss' (did you mean 'E', the loss?)"],
    [{ lhs: 'bias[j]', rhs: '1' }, 'lhs',
     '^^^^',
     "unknown symbol 'bias' (did you mean 'b1', the biases?)"],
    [{ lhs: 'weights[i,j]', rhs: '1' }, 'lhs',
     '^^^^^^^',
     "unknown symbol 'weights'"],
    [{ lhs: 'o[0,k]', rhs: '1', where: 'ouput > 0' }, 'where',
     '^^^^^',
     "unknown name 'ouput' (did you mean 'o', the network's output?): neither a symbol nor a free index of lhs or rhs"],
    [{ lhs: 'E', rhs: 'sigmod(E)' }, 'rhs',
     '^^^^^^^^^',
     "unknown function 'sigmod' (did you mean 'sigmoid'?)"],
    [{ lhs: 'E', rhs: 'exp' }, 'rhs',
     '^^^',
     "'exp' is a function; call it like exp(...)"],
    [{ lhs: 'E', rhs: 'W1(i)' }, 'rhs',
     '^^^^^',
     "'W1' is a symbol, not a function; index it like W1[i,j]"],
    [{ lhs: 'o[0,k]', rhs: 'o[0,k] * k' }, 'rhs',
     '         ^',
     "'k' is an index variable; as a number it can only appear in where, ind(...) or delta(...), else inside [...] or as the index of sum, mean, maxover or minover"],
    [{ lhs: 'o[0,k]', rhs: '1', where: 'q == 0' }, 'where',
     '^',
     "unknown name 'q' (did you mean the index 'k'?): neither a symbol nor a free index of lhs or rhs"],
    // a short name in where is most often an index: the indices come before the symbols
    [{ lhs: 'o[n,k]', rhs: '1', where: 'm == 0' }, 'where',
     '^',
     "unknown name 'm' (did you mean the index 'n' or 'k'?): neither a symbol nor a free index of lhs or rhs"],
    [{ lhs: 'o[j,k]', rhs: '1', where: 'n == 0' }, 'where',
     '^',
     "unknown name 'n' (did you mean the index 'j' or 'k', or the symbol 'N'?): neither a symbol nor a free index of lhs or rhs"],
    [{ lhs: 'o[0,k]', rhs: '1', where: 'sum(j, o[0,j] * jj) > 0' }, 'where',
     '                ^^',
     "unknown name 'jj' (did you mean the index 'j' or 'k'?): neither a symbol nor a free index of lhs or rhs"],
    // max over an index written as max
    [{ lhs: 'o[n,k]', rhs: 'max(k, o[n,k])' }, 'rhs',
     '^^^^^^^^^^^^^^',
     "max(a, b) is the larger of two numbers, element by element; for the largest value over the index 'k' write maxover(k, ...)"],
    [{ lhs: 'o[n,0]', rhs: 'min(j, o[n,j])' }, 'rhs',
     '^^^^^^^^^^^^^^',
     "min(a, b) is the smaller of two numbers, element by element; for the smallest value over the index 'j' write minover(j, ...)"],
    // indices and shapes
    [{ lhs: 'W1', rhs: '1' }, 'lhs',
     '^^',
     'W1 has 2 axes; index it like W1[i,j]'],
    [{ lhs: 'E', rhs: 'b1 * 2' }, 'rhs',
     '^^',
     'b1 has 1 axis; index it like b1[i]'],
    [{ lhs: 'E[0]', rhs: '1' }, 'lhs',
     '  ^',
     'E is a scalar; it takes no indices'],
    [{ lhs: 'W1[i]', rhs: '1' }, 'lhs',
     '   ^',
     'W1 has 2 axes but 1 index was given; index it like W1[i,j]'],
    [{ lhs: 'x[0, i, j]', rhs: '1' }, 'lhs',
     '  ^^^^^^^',
     'x has 2 axes but 3 indices were given; index it like x[i,j]'],
    [{ lhs: 'o[0,2]', rhs: '1' }, 'lhs',
     '    ^',
     'index 2 is out of range for axis 1 of o, which has size 2 (use 0..1)'],
    [{ lhs: 'grad(E, W1)[10,0]', rhs: '1' }, 'lhs',
     '            ^^',
     'index 10 is out of range for axis 0 of grad(E, W1), which has size 10 (use 0..9)'],
    [{ lhs: 'W1[i,j]', rhs: 'W2[j,i]' }, 'rhs',
     '     ^',
     "index 'i' runs over axis 0 of W1 (size 10) at its first use (character 3 of lhs), but over axis 1 of W2 (size 2) here"],
    [{ lhs: 'grad(E, W1)[i,j]', rhs: 'x[0,j]' }, 'rhs',
     '    ^',
     "index 'j' runs over axis 1 of grad(E, W1) (size 20) at its first use (character 14 of lhs), but over axis 1 of x (size 10) here"],
    [{ lhs: 'W2[j,k] * o[j,k]', rhs: '1' }, 'lhs',
     '            ^',
     "index 'j' runs over axis 0 of W2 (size 20) at its first use (character 3 of lhs), but over axis 0 of o (size 1) here"],
    [{ lhs: 'o[0,k]', rhs: '1', where: 'a1[0,k] > 0' }, 'where',
     '     ^',
     "index 'k' runs over axis 1 of o (size 2) at its first use (character 4 of lhs), but over axis 1 of a1 (size 20) here"],
    [{ lhs: 'grad(-log(1 - o[0,k]), W1)[j,k]', rhs: '1' }, 'lhs',
     '                             ^',
     "index 'k' runs over axis 1 of o (size 2) at its first use (character 18 of lhs), but over axis 1 of grad(-log(1 - o[0,k]), W1) (size 20) here"],
    [{ lhs: 'exp(x[0,i])[i]', rhs: '1' }, 'lhs',
     '^^^^^^^^^^^',
     'exp(...) gives one number per index value and cannot be indexed; only symbols, grad(...) and next(...) can'],
    // sum, mean, delta
    [{ lhs: 'E', rhs: 'sum(k, x[0,0])' }, 'rhs',
     '    ^',
     "sum(k, ...) never uses 'k' to index a tensor, so its range is unknown"],
    [{ lhs: 'E', rhs: 'mean(n, delta(n, n))' }, 'rhs',
     '     ^',
     "mean(n, ...) never uses 'n' to index a tensor, so its range is unknown"],
    [{ lhs: 'W1[i,j]', rhs: 'delta(i, q)' }, 'rhs',
     '         ^',
     "the range of index 'q' is unknown: use it to index a tensor (alone, as in W[q,j], or in an index expression whose other indices have ranges)"],
    [{ lhs: 'E', rhs: 'sum(k)' }, 'rhs',
     '^^^^^^',
     'sum takes 2 arguments, got 1'],
    [{ lhs: 'E', rhs: 'exp(E, E)' }, 'rhs',
     '^^^^^^^^^',
     'exp takes 1 argument, got 2'],
    [{ lhs: 'W1[i,j]', rhs: 'delta(i)' }, 'rhs',
     '^^^^^^^^',
     'delta takes 2 arguments, got 1'],
    // grad and next
    [{ lhs: 'grad(E, W1)', rhs: '1' }, 'lhs',
     '^^^^^^^^^^^',
     'grad(E, W1) has the shape of W1: 2 axes; index it like grad(E, W1)[i,j]'],
    [{ lhs: 'grad(E, W1)[i]', rhs: '1' }, 'lhs',
     '            ^',
     'grad(E, W1) has 2 axes but 1 index was given; index it like grad(E, W1)[i,j]'],
    [{ lhs: 'grad(E, W1[0,0])', rhs: '1' }, 'lhs',
     '        ^^^^^^^',
     'the second argument of grad must be a bare symbol such as W1, not an expression'],
    [{ lhs: 'grad(E, N)', rhs: '1' }, 'lhs',
     '        ^',
     'grad(..., N) is not defined: N is a count, not a quantity that can vary'],
    [{ lhs: 'grad(E, G)[0,k]', rhs: '1' }, 'lhs',
     '        ^',
     'grad(..., G) is not defined: G is a constant of the scenario'],
    [{ lhs: 'grad(E, V2)[j,k]', rhs: '1' }, 'lhs',
     '        ^^',
     "unknown symbol 'V2' (did you mean 'W2'?)"],
    [{ lhs: 'grad(E)[i,j]', rhs: '1' }, 'lhs',
     '^^^^^^^',
     'grad takes 2 arguments, got 1'],
    [{ lhs: 'grad(W1, W1)[i,j]', rhs: '1' }, 'lhs',
     '     ^^',
     'W1 has 2 axes; index it like W1[i,j]'],
    [{ lhs: 'next(a1)[0,j]', rhs: '1' }, 'lhs',
     '     ^^',
     'next(a1) is not defined: a1 is an intermediate, not a parameter'],
    [{ lhs: 'next(W1 + 1)[i,j]', rhs: '1' }, 'lhs',
     '     ^^^^^^',
     'the argument of next must be a parameter such as W1 or b1'],
    [{ lhs: 'next(b1)', rhs: '1' }, 'lhs',
     '^^^^^^^^',
     'next(b1) has the shape of b1: 1 axis; index it like next(b1)[i]'],
    // conditions
    [{ lhs: 'o[0,k] > 0', rhs: '1' }, 'lhs',
     '^^^^^^^^^^',
     "'>' makes a condition, and conditions belong in where or in ind(...), not in lhs (ind(c) is 1 where c holds, else 0)"],
    [{ lhs: 'E', rhs: 'sum(k, o[0,k] and 1)' }, 'rhs',
     '       ^^^^^^^^^^^^',
     "'and' makes a condition, and conditions belong in where or in ind(...), not in rhs (ind(c) is 1 where c holds, else 0)"],
    [{ lhs: 'E', rhs: 'not E' }, 'rhs',
     '^^^^^',
     "'not' makes a condition, and conditions belong in where or in ind(...), not in rhs (ind(c) is 1 where c holds, else 0)"],
    [{ lhs: 'o[0,k]', rhs: '1', where: 'k + 1' }, 'where',
     '^^^^^',
     'where must be a condition, such as k == 0 or x[0,i] > 0'],
    [{ lhs: 'o[0,k]', rhs: '1', where: 'k and k > 0' }, 'where',
     '^',
     "'and' needs conditions (comparisons like i == j), but got a number"],
    [{ lhs: 'o[0,k]', rhs: '1', where: '(k < 1) + 1 > 0' }, 'where',
     ' ^^^^^',
     "'+' needs numbers, but got a condition"],
    [{ lhs: 'o[0,k]', rhs: '1', where: 'x[0,i] > 0' }, 'where',
     '    ^',
     "index 'i' in where is not a free index of lhs or rhs"],
    [{ lhs: 'E', rhs: 'sum(k, o[0,k])', where: 'o[0,k] > 0' }, 'where',
     '    ^',
     "index 'k' in where is not a free index of lhs or rhs"],
    // syntax errors come through with their field
    [{ lhs: 'E', rhs: 'x[i 1]' }, 'rhs',
     '    ^',
     "expected ',' or ']' after an index, found '1'"],
    // index expressions
    [{ lhs: 'x[0,i] - x[0,i+1]', rhs: '0' }, 'lhs',
     '             ^^^',
     "i + 1 runs from 1 to 10, outside axis 1 of x, which has size 10 (0..9); pad the tensor explicitly, as in pad(T, …), to read zeros there"],
    [{ lhs: 'x[0,-1]', rhs: '0' }, 'lhs',
     '    ^^',
     'index -1 is out of range for axis 1 of x, which has size 10 (use 0..9)'],
    [{ lhs: 'x[0, 1.5]', rhs: '0' }, 'lhs',
     '     ^^^',
     '1.5 is not a whole number; an index is an index variable, a whole number or an index expression like 2*i + p'],
    [{ lhs: 'W1[i*j, 0]', rhs: '0' }, 'lhs',
     '   ^^^',
     "'i*j' multiplies two index variables; an index is affine: a product needs a whole number on one side, as in 2*i"],
    [{ lhs: 'W1[o[0,0], 0]', rhs: '0' }, 'lhs',
     '   ^^^^^^',
     "o[0,0] cannot stand in an index: 'o' holds real numbers; only integer tensors (classes) can"],
    [{ lhs: 'W1[exp(i), 0]', rhs: '0' }, 'lhs',
     '   ^^^^^^',
     "'exp(i)' is not an index expression: an index is an index variable (i), a whole number (0), a size, an integer tensor's element (t[n]), or a sum of these times whole numbers (2*i + p - 1)"],
    [{ lhs: 'x[0,i+j]', rhs: '0' }, 'lhs',
     '    ^',
     "the range of index 'i' is unknown: use it to index a tensor (alone, as in W[i,j], or in an index expression whose other indices have ranges)"],
    [{ lhs: 'W1[i,j]', rhs: 'sum(j, W1[i,j])' }, 'rhs',
     '    ^',
     "'j' is already a free index of the claim; a bound index needs a name of its own"],
    [{ lhs: 'W1[i,j]', rhs: 'pad(W1, 1)' }, 'rhs',
     '^^^^^^^^^^',
     'pad(...) gives a tensor: index it, as in pad(x, 1)[i + p]'],
    [{ lhs: 'pad(W1, 1)[i,j]', rhs: '0' }, 'lhs',
     '^^^^^^^^^^',
     'pad(W1, …) needs one amount per axis of W1 (2), got 1'],
    [{ lhs: 'E', rhs: 'ind(o[0,0])' }, 'rhs',
     '    ^^^^^^',
     "'ind' needs conditions (comparisons like i == j), but got a number"],
    [{ lhs: 'E', rhs: '1', where: '' }, 'where',
     '^',
     'expected an expression, found the end of the formula'],
  ])('%j → %s', (texts, field, caret, reason) => {
    const result = checkClaim(texts, table());
    const formula = texts[field as keyof Texts]!;
    const expected = `${reason} at character ${caret.indexOf('^')}\n  ${formula}\n  ${caret}`;
    expect(result.ok ? 'no error' : { field: result.field, message: result.error.message }).toEqual({ field, message: expected });
  });

  it('refuses next(P) when the scenario has no optimizer', () => {
    const result = checkClaim({ lhs: 'next(W1)[i,j]', rhs: 'W1[i,j]' }, table(false));
    expect(result.ok ? 'no error' : { field: result.field, message: result.error.message }).toEqual({
      field: 'lhs',
      message: 'next(W1) needs an optimizer, and the scenario has none at character 0\n  next(W1)[i,j]\n  ^^^^^^^^',
    });
  });

  it('knows nothing about networks: a0 is whatever the table says', () => {
    const symbols = new Map<string, SymbolInfo>([['a0', { shape: [3], kind: 'input' }]]);
    const result = checkClaim({ lhs: 'a0[i]', rhs: 'x[i]' }, { symbols, hasOptimizer: false });
    expect(result.ok ? 'no error' : result.error.reason).toBe("unknown symbol 'x'");
  });
});

describe('checkClaim: big formulas', () => {
  it('checks a tree at the parser height limit without overflowing the stack', () => {
    const chain = `x[0,i]${' + x[0,i]'.repeat(998)}`;
    const nested = `${'exp('.repeat(190)}x[0,i]${')'.repeat(190)}`;
    const result = checkClaim({ lhs: chain, rhs: nested, where: `${'('.repeat(150)}i > 0${')'.repeat(150)}` }, table());
    expect(result.ok ? result.claim.freeIndices : result.error.message).toEqual([{ name: 'i', size: 10 }]);
  });
});
