// The functions of the formula language, as data: the parser reads which arguments are index
// variables, the checker reads arity and role, the evaluators read the role to pick a kernel.

export type FunctionRole =
  /** one number in, one number out, applied per element */
  | 'elementwise'
  /** sum(k, e) / mean(k, e): binds the index variable k over e */
  | 'reduce'
  /** delta(i, j): Kronecker delta of two index variables */
  | 'delta'
  /** grad(F, Q): derivative of F with respect to the symbol Q; shape of Q */
  | 'grad'
  /** next(P): parameter P after the optimizer's steps; shape of P */
  | 'next';

export interface FunctionInfo {
  arity: number;
  role: FunctionRole;
  /** how many leading arguments are index variables (stored as `symbol` nodes) */
  indexArgs: number;
}

const elementwise: FunctionInfo = { arity: 1, role: 'elementwise', indexArgs: 0 };

export const FUNCTIONS: ReadonlyMap<string, FunctionInfo> = new Map<string, FunctionInfo>([
  ['exp', elementwise],
  ['log', elementwise],
  ['sqrt', elementwise],
  ['abs', elementwise],
  ['sigmoid', elementwise],
  ['tanh', elementwise],
  ['relu', elementwise],
  ['step', elementwise],
  ['delta', { arity: 2, role: 'delta', indexArgs: 2 }],
  ['sum', { arity: 2, role: 'reduce', indexArgs: 1 }],
  ['mean', { arity: 2, role: 'reduce', indexArgs: 1 }],
  ['grad', { arity: 2, role: 'grad', indexArgs: 0 }],
  ['next', { arity: 1, role: 'next', indexArgs: 0 }],
]);
