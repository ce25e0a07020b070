import fc from 'fast-check';
import type { BinaryOp, Expr, UnaryOp } from '../../src/formula/ast';
import { parseFormula } from '../../src/formula/parser';
import { printFormula } from '../../src/formula/printer';
import { printSexpr } from '../support/printSexpr';

describe('printFormula', () => {
  it.each<[string, string]>([
    // input → printed (minimal parentheses)
    ['((a + b)) * c', '(a + b) * c'],
    ['a + (b * c)', 'a + b * c'],
    ['(a - b) - c', 'a - b - c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['a / (b * c)', 'a / (b * c)'],
    ['2^(3^4)', '2^3^4'],
    ['(2^3)^4', '(2^3)^4'],
    ['-(x^2)', '-x^2'],
    ['(-x)^2', '(-x)^2'],
    ['2^(-1)', '2^-1'],
    ['a * (-b)', 'a * -b'],
    ['-(-x)', '- -x'],
    ['-(a * b)', '-(a * b)'],
    ['(-a) * b', '-a * b'],
    ['(a < b) == c', '(a < b) == c'],
    ['a == (b < c)', 'a == (b < c)'],
    ['a == (not b)', 'a == (not b)'],
    ['not (a and b)', 'not (a and b)'],
    ['(not a) and b', 'not a and b'],
    ['a or (b and c)', 'a or b and c'],
    ['(a or b) and c', '(a or b) and c'],
    ['grad(-log(1-o[0,k]),W2)[j,k]', 'grad(-log(1 - o[0,k]), W2)[j,k]'],
    ['sum(k,(o[0,k]-1)*W2[j,k])', 'sum(k, (o[0,k] - 1) * W2[j,k])'],
    ['1e-7 + 0.5 + 1e21', '1e-7 + 0.5 + 1e+21'],
  ])('%s → %s', (input, printed) => {
    expect(printFormula(parseFormula(input))).toBe(printed);
  });

  it('refuses numbers that have no formula text', () => {
    expect(() => printFormula({ kind: 'number', value: -1, pos: 0, end: 0 })).toThrow('printFormula: -1 has no formula text');
  });
});

// Random trees of every node kind, spans zeroed: printing then parsing gives the same tree back.
const span = { pos: 0, end: 0 };
const names = fc.constantFrom('x', 'W1', 'net2', 'o', 'E', 'N', 'G', 'a0', 'i', 'k', '_t');
const indexArg: fc.Arbitrary<Expr> = fc.oneof(
  names.map((name): Expr => ({ kind: 'symbol', name, ...span })),
  fc.nat(30).map((value): Expr => ({ kind: 'number', value, ...span })),
);
const binaryOps: BinaryOp[] = ['+', '-', '*', '/', '^', '==', '!=', '<', '<=', '>', '>=', 'and', 'or'];
const unaryOps: UnaryOp[] = ['-', 'not'];

const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.double({ min: 0, max: 1e30, noNaN: true }).map((v): Expr => ({ kind: 'number', value: v === 0 ? 0 : v, ...span })),
    names.map((name): Expr => ({ kind: 'symbol', name, ...span })),
    fc.tuple(names, fc.array(indexArg, { minLength: 1, maxLength: 3 })).map(([name, indices]): Expr => ({
      kind: 'index', base: { kind: 'symbol', name, ...span }, indices, ...span,
    })),
    fc.tuple(fc.constantFrom('grad', 'next'), fc.array(tie('expr'), { maxLength: 2 }), fc.array(indexArg, { minLength: 1, maxLength: 2 })).map(
      ([name, args, indices]): Expr => ({ kind: 'index', base: { kind: 'call', name, args, ...span }, indices, ...span }),
    ),
    fc.tuple(fc.constantFrom('exp', 'relu', 'grad', 'foo'), fc.array(tie('expr'), { maxLength: 3 })).map(
      ([name, args]): Expr => ({ kind: 'call', name, args, ...span }),
    ),
    fc.tuple(fc.constantFrom('sum', 'mean'), names, tie('expr')).map(([name, k, body]): Expr => ({
      kind: 'call', name, args: [{ kind: 'symbol', name: k, ...span }, body], ...span,
    })),
    fc.tuple(fc.constantFrom(...unaryOps), tie('expr')).map(([op, operand]): Expr => ({ kind: 'unary', op, operand, ...span })),
    fc.tuple(fc.constantFrom(...binaryOps), tie('expr'), tie('expr')).map(([op, left, right]): Expr => ({ kind: 'binary', op, left, right, ...span })),
  ),
}));

describe('printFormula round trip (property)', () => {
  it('parse(print(tree)) is the same tree', () => {
    fc.assert(
      fc.property(expr, (tree) => {
        const text = printFormula(tree);
        expect({ text, tree: printSexpr(parseFormula(text)) }).toEqual({ text, tree: printSexpr(tree) });
      }),
      { numRuns: 2000 },
    );
  });

  it('the span of every parsed node is text that parses to that node', () => {
    fc.assert(
      fc.property(expr, (tree) => {
        const text = printFormula(tree);
        const walk = (node: Expr): void => {
          const slice = text.slice(node.pos, node.end);
          expect({ slice, tree: printSexpr(parseFormula(slice)) }).toEqual({ slice, tree: printSexpr(node) });
          if (node.kind === 'index') walk(node.base);
          if (node.kind === 'unary') walk(node.operand);
          if (node.kind === 'binary') [node.left, node.right].forEach(walk);
          if (node.kind === 'call') node.args.forEach(walk);
        };
        walk(parseFormula(text));
      }),
      { numRuns: 500 },
    );
  });
});
