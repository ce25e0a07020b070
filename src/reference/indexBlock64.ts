import { nodesOf, type Expr } from '../formula/ast';
import type { CheckedFormulas } from '../formula/check';
import { plainVariable, type IndexForm } from '../formula/indexForms';
import { isProductTerm, productTermOf } from '../formula/productTerm';
import type { Value64 } from './algebra64';
import type { Env64 } from './definitions64';

// A formula evaluated on a block of one free index's values, v in [from, to): every tensor it
// reads at v is read on that block alone, so the result is the formula's [from, to) slice along
// v without the rest being computed. A claim's rhs and the transposed map that gives ∂E/∂P from
// ∂E/∂D (chainRule64.ts) are judged and computed this way a block of P's rows at a time
// (src/claim/rowBlocks.ts), so that no array of P's size is held.
//
// It applies when every read of v is a plain index of a symbol (x[n, v], W[v, j]; not v as a
// number, a diagonal, an affine, gathered or padded read, and not an index of next(…) or of a
// grad(…) but those below), every read of such a symbol reads v at the same axis (not m[0, j]
// next to m[v, j], not the whole symbol), and no derivative is taken and next is not used (they
// read the whole environment) but grad(E, S) of two symbols and the derivatives whose caller
// gives them a block of rows at a time (`rows` of blockReadsOf: read at v on their first axis,
// and only so). Each element is computed from the same numbers as by the whole formula; a sum's
// contraction plan depends on its operands' sizes (src/formula/contractionPlan.ts), so it may run
// in another order: the same value up to the rounding its error bound already covers.

/** A derivative read from the world's own ∂E/∂S: grad(E, S), E the loss (not an index value) and S a symbol. */
export const lossGradientRead = (node: Expr, checked: CheckedFormulas): boolean => {
  if (node.kind !== 'call' || node.name !== 'grad' || node.args.length !== 2) return false;
  const [F, S] = node.args;
  return F.kind === 'symbol' && F.name === 'E' && !checked.indexValues.has(F) && S.kind === 'symbol';
};

/**
 * The axis at which each symbol the formulas read at `v` reads it, or null where v or one of those
 * symbols is read any other way (see the file's head). `rows`: derivatives grad(F, P) whose
 * caller gives them a block of P's rows at a time: each may be read at v on its first axis.
 */
export function blockReadsOf(formulas: readonly Expr[], checked: CheckedFormulas, v: string, rows: ReadonlySet<Expr> = new Set()): Map<string, number> | null {
  const nodes = formulas.flatMap((f) => nodesOf(f));
  const formReads = (form: IndexForm): boolean => form.terms.some((t) => t.name === v) || form.gathers.some((g) => nodeReads(g.node));
  const nodeReads = (node: Expr): boolean => (checked.indexForms.get(node) ?? []).some(formReads);
  // the one axis at which an index node reads v plainly, else −1
  const axisOf = (node: Expr & { kind: 'index' }): number => {
    const forms = checked.indexForms.get(node)!;
    const axes = forms.flatMap((form, a) => (formReads(form) ? [a] : []));
    return axes.length === 1 && plainVariable(forms[axes[0]]) === v ? axes[0] : -1;
  };
  const axes = new Map<string, number>();
  for (const node of nodes) {
    if (node.kind === 'symbol' && node.name === v) {
      // v as a number (where, ind) or bound again
      if (checked.indexValues.has(node)) return null;
    }
    if (node.kind === 'call') {
      if (node.name === 'next' || (node.name === 'grad' && !lossGradientRead(node, checked) && !rows.has(node))) return null;
      if (checked.boundSizes.has(node) && node.args[0]?.kind === 'symbol' && node.args[0].name === v) return null;
      if (nodeReads(node)) return null; // delta(v, …)
    }
    // a derivative given by rows is read at v on its first axis, or not at all
    if (node.kind === 'index' && rows.has(node.base) && axisOf(node) !== 0) return null;
    if (node.kind !== 'index' || !nodeReads(node)) continue;
    const axis = axisOf(node);
    if (rows.has(node.base) && axis === 0) continue;
    if (node.base.kind !== 'symbol' || axis < 0) return null;
    axes.set(node.base.name, axis);
  }
  // every read of such a symbol reads it at v on that axis: not m[0, v] next to m[v, j], m[0, j] or pad(m, …)
  const bases = new Set(nodes.flatMap((node) => (node.kind === 'index' ? [node.base] : [])));
  // a by-rows derivative's S names what is differentiated: its rows come from the caller, not this block's S
  for (const node of rows) if (node.kind === 'call') bases.add(node.args[1]);
  for (const node of nodes) {
    if (node.kind === 'index' && node.base.kind === 'symbol' && axes.has(node.base.name) && axisOf(node) !== axes.get(node.base.name)) return null;
    if (node.kind === 'symbol' && axes.has(node.name) && !bases.has(node)) return null;
  }
  return axes;
}

/** The checked formulas with v's size that of the block. */
export function blockChecked<C extends CheckedFormulas>(checked: C, v: string, size: number): C {
  return { ...checked, freeIndices: checked.freeIndices.map((f) => (f.name === v ? { ...f, size } : f)) };
}

/** [from, to) of a tensor along `axis`: a view along the first axis, else a copy (of the same precision). */
export function sliceAlong(value: Value64, axis: number, from: number, to: number): Value64 {
  const shape = [...value.shape];
  shape[axis] = to - from;
  const inner = value.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = value.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const span = value.shape[axis] * inner;
  const cut = <A extends Float64Array | Float32Array>(a: A): A => {
    if (outer === 1) return a.subarray(from * inner, to * inner) as A;
    const out = new (a.constructor as new (n: number) => A)(outer * (to - from) * inner);
    for (let o = 0; o < outer; o++) out.set(a.subarray(o * span + from * inner, o * span + to * inner), o * (to - from) * inner);
    return out;
  };
  return { shape, data: cut(value.data), ...(value.error ? { error: cut(value.error) } : {}) };
}

/**
 * The environment a block is evaluated in: each symbol of `reads` sliced along its axis; null when
 * one of them is missing, has another extent along that axis than `extent`, or carries kink flags
 * (a block would not carry them on).
 */
export function blockEnv(env: Env64, reads: ReadonlyMap<string, number>, extent: number, from: number, to: number): Env64 | null {
  const scope: Env64 = new Map(env);
  for (const [name, axis] of reads) {
    const value = env.get(name);
    if (value === undefined || value.shape[axis] !== extent || value.kink) return null;
    scope.set(name, sliceAlong(value, axis, from, to));
  }
  return scope;
}

/**
 * The factors of the formula's sums of products that do not read v, worth computing once for
 * every block: not a number or a plain read, no index value, delta, grad, next, padded or
 * gathered read inside (what they compute may depend on the sum they sit in). Each is evaluated by itself as the term
 * evaluates it (its value over its own indices), so taking it for every block changes nothing.
 */
export function blockInvariantFactors(formula: Expr, checked: CheckedFormulas, v: string): Expr[] {
  const found = new Set<Expr>();
  const plainRead = (e: Expr) => e.kind === 'number' || e.kind === 'symbol' || (e.kind === 'index' && e.base.kind === 'symbol');
  // a read that is gathered or padded takes the ranges of the indices it reads from the sum it sits in
  const plainOrFixed = (form: IndexForm) => plainVariable(form) !== null || (form.terms.length === 0 && form.gathers.length === 0);
  const contextual = (e: Expr) =>
    nodesOf(e).some(
      (n) =>
        checked.indexValues.has(n) ||
        (n.kind === 'call' && (n.name === 'delta' || n.name === 'grad' || n.name === 'next' || n.name === 'pad')) ||
        (n.kind === 'index' && !(checked.indexForms.get(n) ?? []).every(plainOrFixed)),
    );
  for (const node of nodesOf(formula)) {
    if (!isProductTerm(node, checked)) continue;
    for (const factor of productTermOf(node, checked).factors) {
      const e = factor.expr;
      const vars = checked.freeVars.get(e);
      if (factor.pins || vars === undefined || vars.includes(v) || plainRead(e) || contextual(e)) continue;
      found.add(e);
    }
  }
  return [...found];
}
