// The operator table: precedence (higher binds tighter) and associativity. The parser's one
// precedence-climbing loop and the printer both read it.

import type { BinaryOp, UnaryOp } from './ast';

export type Associativity = 'left' | 'right' | 'none';

export interface BinaryOperator {
  prec: number;
  assoc: Associativity;
  /** 'arithmetic' works on numbers; 'comparison' and 'logical' make conditions (where only) */
  family: 'arithmetic' | 'comparison' | 'logical';
}

export interface PrefixOperator {
  prec: number;
  /** `-` may start any operand (`2^-1`, `a*-b`); `not` only where its precedence allows */
  anywhere: boolean;
}

const comparison: BinaryOperator = { prec: 4, assoc: 'none', family: 'comparison' };

export const BINARY_OPERATORS: ReadonlyMap<string, BinaryOperator> = new Map<BinaryOp, BinaryOperator>([
  ['or', { prec: 1, assoc: 'left', family: 'logical' }],
  ['and', { prec: 2, assoc: 'left', family: 'logical' }],
  ['==', comparison],
  ['!=', comparison],
  ['<', comparison],
  ['<=', comparison],
  ['>', comparison],
  ['>=', comparison],
  ['+', { prec: 5, assoc: 'left', family: 'arithmetic' }],
  ['-', { prec: 5, assoc: 'left', family: 'arithmetic' }],
  ['*', { prec: 6, assoc: 'left', family: 'arithmetic' }],
  ['/', { prec: 6, assoc: 'left', family: 'arithmetic' }],
  ['^', { prec: 8, assoc: 'right', family: 'arithmetic' }],
]);

export const PREFIX_OPERATORS: ReadonlyMap<string, PrefixOperator> = new Map<UnaryOp, PrefixOperator>([
  ['not', { prec: 3, anywhere: false }],
  ['-', { prec: 7, anywhere: true }],
]);

/** Precedence of postfix indexing, calls, names, numbers and parentheses. */
export const PRIMARY_PREC = 10;
