import jsep from 'jsep';
import { failAt, FormulaError, type FormulaProblem } from '../formula/formulaError';
import { nearestName } from '../formula/nearestName';
import { formatAxisValue, sameValue, type Axis } from './grid';

// The `when` language of a sweep's expectation rules: conditions over the axes, such as
// `activation == 'linear' or classes in {2, 3}`. jsep parses (its operator table gets and, or,
// not and in); this file turns its tree into a Condition over the axes, with every error at a
// position in the text (rendered with a caret, as formula errors are).

export type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; of: Condition }
  | { kind: 'compare'; axis: number; op: Comparison; value: unknown }
  | { kind: 'in'; axis: number; values: unknown[] };

// jsep's own operators stay (a condition that uses one is refused below); these are added.
jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('in', 7);
jsep.addUnaryOp('not');

/** A set of values, `{a, b}`: the right side of `in`. */
interface SetExpression extends jsep.Expression {
  type: 'SetExpression';
  elements: jsep.Expression[];
}

type Spanned = jsep.Expression & { start?: number; end?: number };

// Positions: jsep's nodes carry none. A token's start is noted when jsep begins to read it and
// given to the node it reads (numbers and sets are read here, as jsep reads numbers on a path
// that runs no hook after it). The stack is reset for every parse.
let starts: number[] = [];
jsep.hooks.add('gobble-token', function (env) {
  starts.push(this.index);
  if (this.code === 123) {
    // '{'
    this.index++;
    env.node = { type: 'SetExpression', elements: this.gobbleArguments(125) } as unknown as jsep.Expression;
  } else if ((this.code >= 48 && this.code <= 57) || this.code === 46) {
    env.node = this.gobbleNumericLiteral();
  }
});
jsep.hooks.add('after-token', function (env) {
  const start = starts.pop();
  let end = this.index;
  while (end > 0 && /\s/.test(this.expr[end - 1])) end--; // jsep has read the spaces after the token
  if (env.node && start !== undefined) Object.assign(env.node, { start, end });
});

/** A node's span in the text: its own, or from its first to its last token. */
function span(node: Spanned): { start: number; end: number } {
  if (node.start !== undefined && node.end !== undefined) return { start: node.start, end: node.end };
  if (node.type === 'BinaryExpression') {
    const b = node as jsep.BinaryExpression;
    return { start: span(b.left).start, end: span(b.right).end };
  }
  if (node.type === 'UnaryExpression') return span((node as jsep.UnaryExpression).argument);
  return { start: 0, end: 0 };
}

const COMPARISONS = new Set<string>(['==', '!=', '<', '<=', '>', '>=']);
const FLIPPED: Record<Comparison, Comparison> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

class ConditionReader {
  constructor(
    private readonly text: string,
    private readonly axes: readonly Axis[],
  ) {}

  private fail(node: Spanned, reason: string): never {
    const { start, end } = span(node);
    return failAt(this.text, start, end, reason);
  }

  condition(node: Spanned): Condition {
    if (node.type === 'BinaryExpression') {
      const b = node as jsep.BinaryExpression;
      if (b.operator === 'and' || b.operator === 'or') return { kind: b.operator, left: this.condition(b.left), right: this.condition(b.right) };
      if (COMPARISONS.has(b.operator)) return this.comparison(b);
      if (b.operator === 'in') return this.membership(b);
      return this.fail(node, `'${b.operator}' is not part of a condition (use == != < <= > >= in, and, or, not)`);
    }
    if (node.type === 'UnaryExpression' && (node as jsep.UnaryExpression).operator === 'not') {
      const of = (node as jsep.UnaryExpression).argument as Spanned;
      if (of.type === 'Identifier' || of.type === 'Literal') return this.fail(node, `not applies to a condition in parentheses, like not (${this.text.slice(span(of).start, span(of).end)} == …)`);
      return { kind: 'not', of: this.condition(of) };
    }
    if (node.type === 'Identifier') return this.fail(node, `'${(node as jsep.Identifier).name}' alone is not a condition; compare it, like ${(node as jsep.Identifier).name} == …`);
    return this.fail(node, 'expected a condition, such as activation == \'linear\' or classes in {2, 3}');
  }

  private axisOf(node: Spanned): number {
    const name = (node as jsep.Identifier).name;
    const at = this.axes.findIndex((a) => a.name === name);
    if (at >= 0) return at;
    const near = nearestName(name, this.axes.map((a) => a.name));
    return this.fail(node, `unknown axis '${name}'${near ? ` (did you mean '${near}'?)` : ''}; the axes are ${this.axes.map((a) => a.name).join(', ')}`);
  }

  /** A literal: a string, number, true, false, null, or an array of them. */
  private value(node: Spanned): unknown {
    if (node.type === 'Literal') return (node as jsep.Literal).value;
    if (node.type === 'UnaryExpression' && (node as jsep.UnaryExpression).operator === '-' && (node as jsep.UnaryExpression).argument.type === 'Literal') {
      const v = ((node as jsep.UnaryExpression).argument as jsep.Literal).value;
      if (typeof v === 'number') return -v;
    }
    if (node.type === 'ArrayExpression') return (node as jsep.ArrayExpression).elements.map((e) => (e ? this.value(e) : this.fail(node, 'an array value has an empty place')));
    if (node.type === 'Identifier') return this.fail(node, `'${(node as jsep.Identifier).name}' is an axis name or a word; a value is a number, a string in quotes, true, false, null or an array`);
    return this.fail(node, 'expected a value: a number, a string in quotes, true, false, null or an array');
  }

  /** A value the axis takes; a comparison with any other could never be true, so it is a mistake. */
  private axisValue(axis: number, node: Spanned): unknown {
    const value = this.value(node);
    const { name, values } = this.axes[axis];
    if (!values.some((v) => sameValue(v, value))) {
      return this.fail(node, `${formatAxisValue(value)} is not a value of axis ${name} (its values: ${values.map(formatAxisValue).join(', ')})`);
    }
    return value;
  }

  private comparison(b: jsep.BinaryExpression): Condition {
    let op = b.operator as Comparison;
    let [axisNode, valueNode] = [b.left as Spanned, b.right as Spanned];
    if (axisNode.type !== 'Identifier' && valueNode.type === 'Identifier') {
      [axisNode, valueNode] = [valueNode, axisNode];
      op = FLIPPED[op];
    }
    if (axisNode.type === 'UnaryExpression' && (axisNode as jsep.UnaryExpression).operator === 'not') {
      return this.fail(b, `not applies to a condition in parentheses, like not (${this.text.slice(span(b).start, span(b).end).replace(/^not\s*/, '')})`);
    }
    if (axisNode.type !== 'Identifier') return this.fail(b, `${b.operator} compares an axis with a value, like classes ${b.operator} 2`);
    const axis = this.axisOf(axisNode);
    if (op === '==' || op === '!=') return { kind: 'compare', axis, op, value: this.axisValue(axis, valueNode) };
    const value = this.value(valueNode);
    if (typeof value !== 'number') return this.fail(valueNode, `${op} compares numbers`);
    const { name, values } = this.axes[axis];
    if (values.some((v) => typeof v !== 'number')) return this.fail(axisNode, `${op} compares numbers, and axis ${name} has values that are not numbers`);
    return { kind: 'compare', axis, op, value };
  }

  private membership(b: jsep.BinaryExpression): Condition {
    if (b.left.type !== 'Identifier') return this.fail(b, 'in asks whether an axis has one of a set of values, like classes in {2, 3}');
    const axis = this.axisOf(b.left);
    if (b.right.type !== 'SetExpression') return this.fail(b.right, 'in takes a set of values in braces, like {2, 3}');
    const values = (b.right as unknown as SetExpression).elements.map((e) => this.axisValue(axis, e));
    if (values.length === 0) return this.fail(b.right, 'the set is empty');
    return { kind: 'in', axis, values };
  }
}

/** What stands after a whole condition: a word of the language left without its condition (jsep reads `and` at the end as a name), or anything else. */
function afterCondition(text: string, next: Spanned): FormulaProblem {
  const { start, end } = span(next);
  const word = next.type === 'Identifier' ? (next as jsep.Identifier).name : '';
  if (['and', 'or', 'not', 'in'].includes(word) && text.slice(end).trim() === '') return { formula: text, pos: text.length, end: text.length, reason: `expected a condition after '${word}'` };
  return { formula: text, pos: start, end, reason: `expected and, or or the end of the condition, found '${text.slice(start, end)}'` };
}

export type ConditionResult = { ok: true; condition: Condition } | { ok: false; problem: FormulaProblem };

/** Reads a `when` text over the axes: the condition, or the first problem with its position. */
export function parseCondition(text: string, axes: readonly Axis[]): ConditionResult {
  let tree: jsep.Expression;
  starts = [];
  try {
    tree = jsep(text);
  } catch (e) {
    const error = e as Error & { index?: number; description?: string };
    if (error.index === undefined) throw e;
    const reason = (error.description ?? error.message).replace(/^Unexpected "(.)"$/, "unexpected '$1'");
    return { ok: false, problem: { formula: text, pos: error.index, end: error.index + 1, reason } };
  }
  try {
    if (tree.type === 'Compound') return { ok: false, problem: afterCondition(text, (tree as jsep.Compound).body[1] as Spanned) };
    return { ok: true, condition: new ConditionReader(text, axes).condition(tree) };
  } catch (e) {
    if (e instanceof FormulaError) return { ok: false, problem: { formula: e.formula, pos: e.pos, end: e.end, reason: e.reason } };
    throw e;
  }
}

/** Whether a cell (one value per axis, in axis order) satisfies the condition. */
export function matches(condition: Condition, cell: readonly unknown[]): boolean {
  switch (condition.kind) {
    case 'and':
      return matches(condition.left, cell) && matches(condition.right, cell);
    case 'or':
      return matches(condition.left, cell) || matches(condition.right, cell);
    case 'not':
      return !matches(condition.of, cell);
    case 'in':
      return condition.values.some((v) => sameValue(v, cell[condition.axis]));
    case 'compare': {
      const v = cell[condition.axis];
      if (condition.op === '==') return sameValue(v, condition.value);
      if (condition.op === '!=') return !sameValue(v, condition.value);
      const [a, b] = [v as number, condition.value as number];
      return condition.op === '<' ? a < b : condition.op === '<=' ? a <= b : condition.op === '>' ? a > b : a >= b;
    }
  }
}
