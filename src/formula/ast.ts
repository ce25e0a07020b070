// The formula tree: a typed union of node kinds. `pos`/`end` are character offsets into the
// formula text (end exclusive) so every later error can point a caret at the node.

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '^'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'and' | 'or';

export type UnaryOp = '-' | 'not';

interface Span {
  pos: number;
  end: number;
}

export type Expr =
  | ({ kind: 'number'; value: number } & Span)
  /** A bare identifier: a network symbol (x, W1, net2, o, E, N…) or a constant. */
  | ({ kind: 'symbol'; name: string } & Span)
  /**
   * `base[i, 0, 2*j + p, t[n]]`; base is a symbol or a call (grad, next, pad). Each index is an
   * index expression: an index variable (a `symbol` node), a whole number, an integer tensor's
   * element, or an affine combination of these (the checker says which, check.ts IndexForm).
   */
  | ({ kind: 'index'; base: Expr; indices: Expr[] } & Span)
  | ({ kind: 'unary'; op: UnaryOp; operand: Expr } & Span)
  | ({ kind: 'binary'; op: BinaryOp; left: Expr; right: Expr } & Span)
  /**
   * A function call. For the calls that bind an index (sum, mean, maxover, minover) the first
   * argument is the bound index variable (a `symbol` node); delta's arguments are index
   * expressions, pad's are a tensor and whole numbers.
   */
  | ({ kind: 'call'; name: string; args: Expr[] } & Span);

/**
 * The index variable a binding call (sum, mean, maxover, minover) binds: its first argument, a
 * name (`sum(k, …)`), or a name with its range written out (`maxover(p < K, …)`, the range
 * 0 … K − 1, for an index no tensor's axis gives a range to).
 */
export function boundIndex(call: Expr & { kind: 'call' }): { name: string; node: Expr; limit: Expr | null } {
  const arg = call.args[0];
  if (arg.kind === 'binary' && arg.op === '<' && arg.left.kind === 'symbol') return { name: arg.left.name, node: arg.left, limit: arg.right };
  if (arg.kind === 'symbol') return { name: arg.name, node: arg, limit: null };
  throw new Error(`${call.name}: its first argument is not an index variable`);
}

/** The sub-expressions of a node, in source order (an index node's base, then its indices). */
export function childrenOf(node: Expr): Expr[] {
  switch (node.kind) {
    case 'index':
      return [node.base, ...node.indices];
    case 'unary':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    case 'call':
      return node.args;
    default:
      return [];
  }
}

/** Every node of a formula, depth first. */
export function nodesOf(node: Expr, out: Expr[] = []): Expr[] {
  out.push(node);
  for (const child of childrenOf(node)) nodesOf(child, out);
  return out;
}
