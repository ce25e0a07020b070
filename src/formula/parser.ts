// Formula text → tree. One precedence-climbing loop (gobbleExpression) reads the operator table;
// the other methods are named for what they consume.

import type { BinaryOp, Expr, UnaryOp } from './ast';
import { failAt } from './formulaError';
import { FUNCTIONS } from './functions';
import { say } from './messages';
import { BINARY_OPERATORS, PREFIX_OPERATORS } from './operators';
import { scanFormula, Token } from './scanner';

/** Recursion depth of the parser (parentheses, calls, prefix operators, `^` chains). */
export const MAX_NESTING = 200;
/** Height of the tree, so every later recursive walk stays far from the stack limit. */
export const MAX_TREE_HEIGHT = 1000;

export function parseFormula(text: string): Expr {
  return new Parser(text, scanFormula(text)).gobbleFormula();
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the formula' : `'${token.text}'`;
}

class Parser {
  private next = 0;
  private nesting = 0;
  private readonly heights = new WeakMap<Expr, number>();

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  gobbleFormula(): Expr {
    const expr = this.gobbleExpression(0);
    const after = this.peek();
    if (after.kind !== 'end') this.fail(after, say.expectedOperator(describe(after)));
    return expr;
  }

  /** The precedence-climbing loop: an operand, then binary operators of precedence ≥ minPrec. */
  private gobbleExpression(minPrec: number): Expr {
    const start = this.peek();
    if (++this.nesting > MAX_NESTING) this.fail(start, say.tooDeep(MAX_NESTING));
    let left = this.gobbleOperand(minPrec);
    let comparedAt: number | undefined; // precedence of a non-associative operator just applied
    for (;;) {
      const token = this.peek();
      const op = token.kind === 'operator' ? BINARY_OPERATORS.get(token.text) : undefined;
      if (op === undefined || op.prec < minPrec) break;
      if (op.assoc === 'none' && comparedAt === op.prec) this.fail(token, say.chainedComparison(token.text));
      this.advance();
      const right = this.gobbleExpression(op.assoc === 'right' ? op.prec : op.prec + 1);
      left = this.node({ kind: 'binary', op: token.text as BinaryOp, left, right, pos: start.pos, end: this.lastEnd() }, [left, right]);
      comparedAt = op.assoc === 'none' ? op.prec : undefined;
    }
    this.nesting--;
    return left;
  }

  /** A prefix operator and its operand, or a postfix expression. */
  private gobbleOperand(minPrec: number): Expr {
    const token = this.peek();
    const prefix = token.kind === 'operator' ? PREFIX_OPERATORS.get(token.text) : undefined;
    if (prefix === undefined) return this.gobblePostfix();
    if (prefix.prec < minPrec && !prefix.anywhere) this.fail(token, say.prefixNeedsParens(token.text));
    this.advance();
    const operand = this.gobbleExpression(prefix.prec);
    return this.node({ kind: 'unary', op: token.text as UnaryOp, operand, pos: token.pos, end: this.lastEnd() }, [operand]);
  }

  /** A primary, optionally followed by one `[...]`. */
  private gobblePostfix(): Expr {
    const start = this.peek();
    const { expr: base, parenthesised } = this.gobblePrimary();
    const open = this.peek();
    if (!this.isPunct(open, '[')) return base;
    if (parenthesised || (base.kind !== 'symbol' && base.kind !== 'call')) {
      this.failSpan(start.pos, this.lastEnd(), say.notIndexable(this.text.slice(start.pos, this.lastEnd())));
    }
    const indices = this.gobbleIndices();
    const indexed = this.node({ kind: 'index', base, indices, pos: start.pos, end: this.lastEnd() }, [base, ...indices]);
    const again = this.peek();
    if (this.isPunct(again, '[')) this.fail(again, say.indexedTwice());
    return indexed;
  }

  /** A number, a name, a call `name(args)` or `( expression )`. */
  private gobblePrimary(): { expr: Expr; parenthesised: boolean } {
    const token = this.peek();
    if (token.kind === 'number') {
      this.advance();
      return { expr: this.node({ kind: 'number', value: token.value!, pos: token.pos, end: token.end }, []), parenthesised: false };
    }
    if (token.kind === 'name') {
      this.advance();
      if (this.isPunct(this.peek(), '(')) return { expr: this.gobbleCall(token), parenthesised: false };
      return { expr: this.node({ kind: 'symbol', name: token.text, pos: token.pos, end: token.end }, []), parenthesised: false };
    }
    if (this.isPunct(token, '(')) {
      this.advance();
      const expr = this.gobbleExpression(0);
      const close = this.peek();
      if (!this.isPunct(close, ')')) this.fail(close, say.unclosedParen(token.pos, describe(close)));
      this.advance();
      return { expr, parenthesised: true };
    }
    const previous = this.next > 0 ? this.tokens[this.next - 1].text : undefined;
    return this.fail(token, say.expectedExpression(previous, describe(token)));
  }

  /** `(arg, arg, ...)` after a function name. */
  private gobbleCall(name: Token): Expr {
    this.advance(); // '('
    const args: Expr[] = [];
    if (this.isPunct(this.peek(), ')')) {
      this.advance();
    } else {
      for (;;) {
        args.push(this.gobbleExpression(0));
        const separator = this.peek();
        this.advance();
        if (this.isPunct(separator, ')')) break;
        if (!this.isPunct(separator, ',')) this.fail(separator, say.expectedArgumentSeparator(name.text, describe(separator)));
      }
    }
    const bound = FUNCTIONS.get(name.text)?.bindsIndex ? args[0] : undefined;
    const named = bound && (bound.kind === 'symbol' || (bound.kind === 'binary' && bound.op === '<' && bound.left.kind === 'symbol'));
    if (bound && !named) this.failSpan(bound.pos, bound.end, say.indexArgument(name.text));
    return this.node({ kind: 'call', name: name.text, args, pos: name.pos, end: this.lastEnd() }, args);
  }

  /** `[i, 0, 2*j + p, t[n]]`: one index expression per axis (the checker says which forms are indices). */
  private gobbleIndices(): Expr[] {
    this.advance(); // '['
    const indices: Expr[] = [];
    for (;;) {
      const token = this.peek();
      if (this.isPunct(token, ',') || this.isPunct(token, ']')) this.fail(token, say.expectedIndex(describe(token)));
      indices.push(this.gobbleExpression(0));
      const separator = this.peek();
      if (!this.isPunct(separator, ',') && !this.isPunct(separator, ']')) {
        this.fail(separator, say.expectedIndexSeparator(describe(separator)));
      }
      this.advance();
      if (separator.text === ']') return indices;
    }
  }

  /** Records the node's height and refuses trees taller than MAX_TREE_HEIGHT. */
  private node<E extends Expr>(expr: E, children: Expr[]): E {
    const height = 1 + Math.max(0, ...children.map((c) => this.heights.get(c) ?? 0));
    if (height > MAX_TREE_HEIGHT) this.failSpan(expr.pos, expr.end, say.tooDeep(MAX_TREE_HEIGHT));
    this.heights.set(expr, height);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.next];
  }

  private advance(): Token {
    const token = this.tokens[this.next];
    if (token.kind !== 'end') this.next++;
    return token;
  }

  private lastEnd(): number {
    return this.next > 0 ? this.tokens[this.next - 1].end : 0;
  }

  private isPunct(token: Token, text: string): boolean {
    return token.kind === 'punct' && token.text === text;
  }

  private fail(token: Token, reason: string): never {
    return failAt(this.text, token.pos, token.end, reason);
  }

  private failSpan(pos: number, end: number, reason: string): never {
    return failAt(this.text, pos, end, reason);
  }
}
