import type { Expr } from './ast';
import type { CheckedFormulas } from './check';
import { FUNCTIONS } from './functions';
import { constantForm } from './indexForms';

// A formula's part that is linear in one symbol Q: the formula with every additive term that does
// not read Q dropped, when Q enters it linearly (a sum of products, each with Q once, never inside
// a nonlinear function, a denominator or a condition). A definition D linear in Q moves with Q
// exactly along a line: D(Q + t·v) = D(Q) + t·D_lin(v), so a finite difference through D need not
// recompute D: D_lin(v) is computed once (src/reference/movedPass64.ts).

export interface LinearPart {
  expr: Expr;
  /** the checked maps with entries for the nodes made here */
  checked: CheckedFormulas;
}

/** Whether `node` reads `symbol` (also through pad). */
export function reads(node: Expr, symbol: string): boolean {
  switch (node.kind) {
    case 'symbol':
      return node.name === symbol;
    case 'index':
      return reads(node.base, symbol) || node.indices.some((i) => reads(i, symbol));
    case 'unary':
      return reads(node.operand, symbol);
    case 'binary':
      return reads(node.left, symbol) || reads(node.right, symbol);
    case 'call':
      return node.args.some((a) => reads(a, symbol));
    default:
      return false;
  }
}

/** A read of `symbol` itself: `Q`, `Q[…]` or `pad(Q, …)[…]`. */
function isRead(node: Expr, symbol: string): boolean {
  if (node.kind === 'symbol') return node.name === symbol;
  if (node.kind !== 'index') return false;
  const base = node.base;
  const direct = base.kind === 'symbol' && base.name === symbol;
  const padded = base.kind === 'call' && base.name === 'pad' && base.args[0].kind === 'symbol' && base.args[0].name === symbol;
  return (direct || padded) && !node.indices.some((i) => reads(i, symbol));
}

export function linearPart(body: Expr, symbol: string, checked: CheckedFormulas): LinearPart | null {
  const boundSizes = new Map(checked.boundSizes);
  const at = (node: Expr) => ({ pos: node.pos, end: node.end });
  const walk = (node: Expr): Expr | null | 'none' => {
    if (!reads(node, symbol)) return 'none';
    if (isRead(node, symbol)) return node;
    switch (node.kind) {
      case 'unary': {
        if (node.op !== '-') return null;
        const operand = walk(node.operand);
        return operand === null || operand === 'none' ? operand : { kind: 'unary', op: '-', operand, ...at(node) };
      }
      case 'binary': {
        if (node.op === '+' || node.op === '-') {
          const left = walk(node.left);
          const right = walk(node.right);
          if (left === null || right === null) return null;
          if (left === 'none') return right === 'none' ? 'none' : node.op === '+' ? right : { kind: 'unary', op: '-', operand: right, ...at(node) };
          if (right === 'none') return left;
          return { kind: 'binary', op: node.op, left, right, ...at(node) };
        }
        if (node.op === '*') {
          const left = walk(node.left);
          const right = walk(node.right);
          if (left === null || right === null || (left !== 'none' && right !== 'none')) return null;
          return left === 'none' ? { kind: 'binary', op: '*', left: node.left, right: right as Expr, ...at(node) } : { kind: 'binary', op: '*', left, right: node.right, ...at(node) };
        }
        if (node.op === '/') {
          if (reads(node.right, symbol)) return null;
          const left = walk(node.left);
          return left === null || left === 'none' ? left : { kind: 'binary', op: '/', left, right: node.right, ...at(node) };
        }
        return null;
      }
      case 'call': {
        const role = FUNCTIONS.get(node.name)?.role;
        if (role !== 'reduce' || (node.name !== 'sum' && node.name !== 'mean')) return null;
        const inner = walk(node.args[1]);
        if (inner === null || inner === 'none') return inner;
        const call: Expr = { kind: 'call', name: node.name, args: [node.args[0], inner], ...at(node) };
        boundSizes.set(call, checked.boundSizes.get(node)!);
        return call;
      }
      default:
        return null;
    }
  };
  const expr = walk(body);
  if (expr === null || expr === 'none') return null;
  return { expr, checked: { ...checked, boundSizes } };
}

/**
 * The linear part with Q replaced by a tensor that is 0 outside one slice of Q: the axes `fixed`
 * gives a number are fixed there, and `slice` names the tensor of the slice's values (the fixed
 * axes dropped), or is null for the unit tensor e_c (1 at the fixed coordinates, every axis
 * fixed). Each read `Q[e_0, …]` becomes `S[e_free…] * delta(e_a, c_a) * …` over the fixed axes a
 * (for pad(Q, p…), delta(e_a, c_a + p_a)), which the evaluator contracts like any factor: no
 * tensor of Q's size is made. Null when a read pads an axis that is not fixed.
 */
export function atSlice(part: LinearPart, symbol: string, fixed: readonly (number | null)[], slice: string | null): LinearPart | null {
  const indexForms = new Map(part.checked.indexForms);
  const boundSizes = new Map(part.checked.boundSizes);
  const one = (node: Expr): Expr => ({ kind: 'number', value: 1, pos: node.pos, end: node.end });
  let padsFree = false;
  const replace = (node: Expr): Expr => {
    if (isRead(node, symbol)) {
      if (node.kind === 'symbol') return slice === null ? one(node) : { ...node, name: slice };
      const read = node as Expr & { kind: 'index' };
      const forms = part.checked.indexForms.get(read)!;
      const pads = read.base.kind === 'call' ? part.checked.pads.get(read.base) : undefined;
      const factors: Expr[] = [];
      const free = read.indices.filter((_, a) => fixed[a] === null);
      if (pads && pads.some((p, a) => p !== 0 && fixed[a] === null)) padsFree = true;
      if (slice !== null) {
        // the slice's values: a number when every axis is fixed
        const base: Expr = { kind: 'symbol', name: slice, pos: read.base.pos, end: read.base.end };
        if (free.length === 0) factors.push(base);
        else {
          const values: Expr = { kind: 'index', base, indices: free, pos: node.pos, end: node.end };
          indexForms.set(values, forms.filter((_, a) => fixed[a] === null));
          factors.push(values);
        }
      }
      read.indices.forEach((index, a) => {
        if (fixed[a] === null) return;
        const call: Expr = { kind: 'call', name: 'delta', args: [index, one(index)], pos: index.pos, end: index.end };
        indexForms.set(call, [forms[a], constantForm(fixed[a]! + (pads ? pads[a] : 0))]);
        factors.push(call);
      });
      return factors.reduce((left, right) => ({ kind: 'binary', op: '*', left, right, pos: node.pos, end: node.end }));
    }
    switch (node.kind) {
      case 'unary':
        return { ...node, operand: replace(node.operand) };
      case 'binary':
        return { ...node, left: replace(node.left), right: replace(node.right) };
      case 'call': {
        if (!reads(node, symbol)) return node;
        const call: Expr = { ...node, args: node.args.map((a, i) => (i === 0 && FUNCTIONS.get(node.name)?.bindsIndex ? a : replace(a))) };
        const size = part.checked.boundSizes.get(node);
        if (size !== undefined) boundSizes.set(call, size);
        return call;
      }
      default:
        return node;
    }
  };
  const expr = replace(part.expr);
  return padsFree ? null : { expr, checked: { ...part.checked, indexForms, boundSizes } };
}

/** The linear part with Q replaced by the unit tensor e_c (1 at `coordinates`, 0 elsewhere). */
export function atUnit(part: LinearPart, symbol: string, coordinates: readonly number[]): LinearPart {
  return atSlice(part, symbol, coordinates, null)!;
}
