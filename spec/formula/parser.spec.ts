import type { Expr } from '../../src/formula/ast';
import { FormulaError } from '../../src/formula/formulaError';
import { MAX_NESTING, MAX_TREE_HEIGHT, parseFormula } from '../../src/formula/parser';
import { printSexpr } from '../support/printSexpr';

/** The error a formula gives, as the three rendered lines (or 'no error'). */
function errorOf(text: string): string {
  try {
    parseFormula(text);
  } catch (error) {
    if (error instanceof FormulaError) return error.message;
    throw error;
  }
  return 'no error';
}

/** Expected message: reason, the formula, and the caret line as written in the table. */
const rendered = (formula: string, caret: string, reason: string) =>
  `${reason} at character ${caret.indexOf('^')}\n  ${formula}\n  ${caret}`;

describe('parseFormula: trees', () => {
  it.each<[string, string]>([
    // the DESIGN examples
    ['grad(E, W1)[i,j]', '(index (grad E W1) i j)'],
    ['x[0,i] * sum(k, (o[0,k] - y[0,k]) * W2[j,k])', '(* (index x 0 i) (sum k (* (- (index o 0 k) (index y 0 k)) (index W2 j k))))'],
    ['mean(n, x[n,i] * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))', '(mean n (* (index x n i) (sum k (* (- (index o n k) (index y n k)) (index W2 j k)))))'],
    ['a1[n,j] * (1 - a1[n,j])', '(* (index a1 n j) (- 1 (index a1 n j)))'],
    ['grad(-log(1 - o[0,k]), W2)[j,k]', '(index (grad (neg (log (- 1 (index o 0 k)))) W2) j k)'],
    ['next(W2)[0,1]', '(index (next W2) 0 1)'],
    // precedence
    ['a + b * c', '(+ a (* b c))'],
    ['a * b + c', '(+ (* a b) c)'],
    ['a + b < c * d', '(< (+ a b) (* c d))'],
    ['a < b and c < d or e == f', '(or (and (< a b) (< c d)) (== e f))'],
    ['a or b and c', '(or a (and b c))'],
    ['not a < b and c', '(and (not (< a b)) c)'],
    ['not not a', '(not (not a))'],
    ['-x^2', '(neg (^ x 2))'],
    ['-x*y', '(* (neg x) y)'],
    ['2^-1', '(^ 2 (neg 1))'],
    ['2^-1*3', '(* (^ 2 (neg 1)) 3)'],
    ['a*-b', '(* a (neg b))'],
    ['a - -b', '(- a (neg b))'],
    ['- -x', '(neg (neg x))'],
    ['(-x)^2', '(^ (neg x) 2)'],
    ['x[0,i]^2', '(^ (index x 0 i) 2)'],
    // associativity
    ['a - b - c', '(- (- a b) c)'],
    ['a / b / c', '(/ (/ a b) c)'],
    ['a - (b - c)', '(- a (- b c))'],
    ['2^3^4', '(^ 2 (^ 3 4))'],
    ['(2^3)^4', '(^ (^ 2 3) 4)'],
    ['a and b and c', '(and (and a b) c)'],
    ['(a < b) == c', '(== (< a b) c)'],
    // calls, numbers, whitespace
    ['exp(x)', '(exp x)'],
    ['f()', '(f)'],
    ['delta(i, j)', '(delta i j)'],
    ['sum((k), x[k])', '(sum k (index x k))'],
    ['1.5e-3 + .5 + 10', '(+ (+ 0.0015 0.5) 10)'],
    ['  x\n*\ty ', '(* x y)'],
  ])('%s', (text, sexpr) => {
    expect(printSexpr(parseFormula(text))).toBe(sexpr);
  });
});

describe('parseFormula: spans', () => {
  /** Every node, with the text its span covers. */
  function spans(text: string): string[] {
    const out: string[] = [];
    const walk = (e: Expr): void => {
      out.push(`${e.kind}:${text.slice(e.pos, e.end)}`);
      if (e.kind === 'index') walk(e.base);
      if (e.kind === 'unary') walk(e.operand);
      if (e.kind === 'binary') [e.left, e.right].forEach(walk);
      if (e.kind === 'call') e.args.forEach(walk);
    };
    walk(parseFormula(text));
    return out;
  }

  it.each<[string, string[]]>([
    ['(a + b) * -c', ['binary:(a + b) * -c', 'binary:a + b', 'symbol:a', 'symbol:b', 'unary:-c', 'symbol:c']],
    ['grad(E, W1)[i, j] ', ['index:grad(E, W1)[i, j]', 'call:grad(E, W1)', 'symbol:E', 'symbol:W1']],
    ['not (k == 0)', ['unary:not (k == 0)', 'binary:k == 0', 'symbol:k', 'number:0']],
  ])('%j', (text, expected) => {
    expect(spans(text)).toEqual(expected);
  });

  it('gives index arguments their own spans', () => {
    const tree = parseFormula('W1[ i ,0]');
    expect(tree.kind === 'index' && tree.indices).toEqual([
      { kind: 'symbol', name: 'i', pos: 4, end: 5 },
      { kind: 'number', value: 0, pos: 7, end: 8 },
    ]);
  });
});

describe('parseFormula: errors', () => {
  it.each<[string, string, string]>([
    ['',
     '^',
     'expected an expression, found the end of the formula'],
    ['x +',
     '   ^',
     "expected an expression after '+', found the end of the formula"],
    ['x * * y',
     '    ^',
     "expected an expression after '*', found '*'"],
    ['x )',
     '  ^',
     "expected an operator or the end of the formula, found ')'"],
    ['2 x',
     '  ^',
     "expected an operator or the end of the formula, found 'x'"],
    ['(x + 1',
     '      ^',
     "expected ')' to close the '(' at character 0, found the end of the formula"],
    ['exp(x',
     '     ^',
     "expected ',' or ')' in the arguments of exp(...), found the end of the formula"],
    ['f(x,)',
     '    ^',
     "expected an expression after ',', found ')'"],
    ['x[i',
     '   ^',
     "expected ',' or ']' after an index, found the end of the formula"],
    ['x[i 1]',
     '    ^',
     "expected ',' or ']' after an index, found '1'"],
    ['x[]',
     '  ^',
     "expected an index (an index variable like i, a whole number like 0, or an index expression like 2*i + p), found ']'"],
    ['x[0,]',
     '    ^',
     "expected an index (an index variable like i, a whole number like 0, or an index expression like 2*i + p), found ']'"],
    ['x[0][1]',
     '    ^',
     'this is already indexed; write all indices in one [...], like W1[i,j]'],
    ['(x)[i]',
     '^^^',
     '(x) cannot be indexed; only a symbol (x, W1, o…) or grad(...)/next(...) can'],
    ['2 * 3[i]',
     '    ^',
     '3 cannot be indexed; only a symbol (x, W1, o…) or grad(...)/next(...) can'],
    ['a < b < c',
     '      ^',
     "comparisons do not chain: '<' cannot follow another comparison; write a < b and b < c"],
    ['a == b + 1 != c',
     '           ^^',
     "comparisons do not chain: '!=' cannot follow another comparison; write a < b and b < c"],
    ['a == not b',
     '     ^^^',
     "'not' needs parentheses here: write (not ...)"],
    ['sum(k + 1, x[k])',
     '    ^^^^^',
     'the first argument of sum must be the index variable it runs over, as in sum(k, ...) or sum(k < K, ...)'],
    ['mean(0, x[k])',
     '     ^',
     'the first argument of mean must be the index variable it runs over, as in mean(k, ...) or mean(k < K, ...)'],
    ['x and',
     '     ^',
     "expected an expression after 'and', found the end of the formula"],
    ['x ∂ y',
     '  ^',
     "unexpected character '∂'"],
  ])('%j', (formula, caret, reason) => {
    expect(errorOf(formula)).toBe(rendered(formula, caret, reason));
  });

  it.each<[string, string]>([
    ['parentheses', `${'('.repeat(4900)}x${')'.repeat(4900)}`],
    ['unary minus', `${'-'.repeat(9000)}x`],
    ['right-associative ^', `${'x^'.repeat(4000)}x`],
    ['calls', `${'exp('.repeat(1900)}x${')'.repeat(1900)}`],
  ])('refuses deep nesting of %s with an error, not a stack overflow', (_, text) => {
    expect(errorOf(text)).toMatch(new RegExp(`^the formula nests too deeply \\(more than ${MAX_NESTING} levels\\) at character \\d+\n`));
  });

  it('refuses a left-associative chain taller than the tree limit', () => {
    const text = `x${'+x'.repeat(MAX_TREE_HEIGHT + 5)}`;
    expect(errorOf(text)).toMatch(new RegExp(`^the formula nests too deeply \\(more than ${MAX_TREE_HEIGHT} levels\\) at character 0\n`));
  });

  it('accepts nesting just inside the limit', () => {
    const depth = MAX_NESTING - 1;
    expect(errorOf(`${'('.repeat(depth)}x${')'.repeat(depth)}`)).toBe('no error');
  });
});
