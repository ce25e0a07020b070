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

/** One position inside `T[...]`: an index variable or an integer that selects. */
export type IndexArg =
  | ({ kind: 'var'; name: string } & Span)
  | ({ kind: 'int'; value: number } & Span);

export type Expr =
  | ({ kind: 'number'; value: number } & Span)
  /** A bare identifier: a network symbol (x, W1, net2, o, E, N…) or a constant. */
  | ({ kind: 'symbol'; name: string } & Span)
  /** `base[i, 0, j]`; base is a symbol or a call (grad/next). */
  | ({ kind: 'index'; base: Expr; indices: IndexArg[] } & Span)
  | ({ kind: 'unary'; op: UnaryOp; operand: Expr } & Span)
  | ({ kind: 'binary'; op: BinaryOp; left: Expr; right: Expr } & Span)
  /**
   * A function call. For `sum`/`mean` the first argument is the bound index (a `symbol` node
   * whose name is the index variable); for `delta` both arguments are index variables.
   */
  | ({ kind: 'call'; name: string; args: Expr[] } & Span);

/** The sub-expressions of a node, in source order (index arguments are not expressions). */
export function childrenOf(node: Expr): Expr[] {
  switch (node.kind) {
    case 'index':
      return [node.base];
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
