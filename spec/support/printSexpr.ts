import type { Expr } from '../../src/formula/ast';

// A formula tree as a compact S-expression, for specs that compare trees.

/** Compact S-expression: `(* (index x 0 i) (sum k (index W2 j k)))`. Spans are left out. */
export function printSexpr(expr: Expr): string {
  switch (expr.kind) {
    case 'number':
      return String(expr.value);
    case 'symbol':
      return expr.name;
    case 'index':
      return `(index ${printSexpr(expr.base)} ${expr.indices.map(printSexpr).join(' ')})`;
    case 'call':
      return `(${expr.name}${expr.args.map((a) => ` ${printSexpr(a)}`).join('')})`;
    case 'unary':
      return `(${expr.op === '-' ? 'neg' : 'not'} ${printSexpr(expr.operand)})`;
    case 'binary':
      return `(${expr.op} ${printSexpr(expr.left)} ${printSexpr(expr.right)})`;
  }
}
