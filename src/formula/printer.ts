// Tree → text. printFormula gives text that parses back to the same tree, with only the
// parentheses the operator table requires.

import type { Expr } from './ast';
import { BINARY_OPERATORS, PREFIX_OPERATORS, PRIMARY_PREC } from './operators';

function precedenceOf(expr: Expr): number {
  if (expr.kind === 'binary') return BINARY_OPERATORS.get(expr.op)!.prec;
  if (expr.kind === 'unary') return PREFIX_OPERATORS.get(expr.op)!.prec;
  return PRIMARY_PREC;
}

function printNumber(value: number): string {
  if (!Number.isFinite(value) || value < 0 || Object.is(value, -0)) {
    throw new Error(`printFormula: ${value} has no formula text (numbers are finite and not negative)`);
  }
  return String(value);
}

export function printFormula(expr: Expr): string {
  switch (expr.kind) {
    case 'number':
      return printNumber(expr.value);
    case 'symbol':
      return expr.name;
    case 'index':
      return `${printFormula(expr.base)}[${expr.indices.map(printFormula).join(',')}]`;
    case 'call':
      return `${expr.name}(${expr.args.map(printFormula).join(', ')})`;
    case 'unary': {
      const operand = wrap(expr.operand, precedenceOf(expr.operand) < PREFIX_OPERATORS.get(expr.op)!.prec);
      if (expr.op === 'not') return `not ${operand}`;
      return operand.startsWith('-') ? `- ${operand}` : `-${operand}`;
    }
    case 'binary': {
      const { prec, assoc } = BINARY_OPERATORS.get(expr.op)!;
      const leftPrec = precedenceOf(expr.left);
      const rightPrec = precedenceOf(expr.right);
      const left = wrap(expr.left, leftPrec < prec || (leftPrec === prec && assoc !== 'left'));
      // A unary minus may start any operand (`2^-1`, `a*-b`), so it never needs parentheses on the right.
      const rightIsMinus = expr.right.kind === 'unary' && expr.right.op === '-';
      const right = wrap(expr.right, !rightIsMinus && (rightPrec < prec || (rightPrec === prec && assoc !== 'right')));
      return expr.op === '^' ? `${left}^${right}` : `${left} ${expr.op} ${right}`;
    }
  }
}

function wrap(expr: Expr, parenthesise: boolean): string {
  const text = printFormula(expr);
  return parenthesise ? `(${text})` : text;
}
