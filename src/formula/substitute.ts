import type { Expr } from './ast';
import type { CheckedFormulas } from './check';
import type { IndexForm } from './indexForms';

// A formula with some of its free index variables fixed to whole numbers: the same formula read
// at one slice of its free indices (`net2[n,k]` with n = 3 is `net2[3,k]`). The reference world
// evaluates a definition only where a move can change it (src/reference/support64.ts).

/** `expr` with the free variables in `values` fixed; the checked maps gain entries for the new nodes. */
export function substitute(expr: Expr, checked: CheckedFormulas, values: ReadonlyMap<string, number>): { expr: Expr; checked: CheckedFormulas } {
  const indexForms = new Map(checked.indexForms);
  const boundSizes = new Map(checked.boundSizes);
  const freeVars = new Map(checked.freeVars);
  const pads = new Map(checked.pads);
  const fix = (form: IndexForm): IndexForm => {
    let offset = form.offset;
    const terms = form.terms.filter((t) => {
      const value = values.get(t.name);
      if (value === undefined) return true;
      offset += t.coef * value;
      return false;
    });
    return { terms, gathers: form.gathers.map((g) => ({ ...g, node: walk(g.node) as Expr & { kind: 'index' } })), offset };
  };
  const keep = (from: Expr, to: Expr): Expr => {
    const free = checked.freeVars.get(from);
    if (free) freeVars.set(to, free.filter((v) => !values.has(v)));
    return to;
  };
  const walk = (node: Expr): Expr => {
    switch (node.kind) {
      case 'symbol': {
        const value = checked.indexValues.has(node) ? values.get(node.name) : undefined;
        return value === undefined ? node : keep(node, { kind: 'number', value, pos: node.pos, end: node.end });
      }
      case 'index': {
        const forms = checked.indexForms.get(node);
        const out: Expr = keep(node, { ...node, base: walk(node.base), indices: node.indices.map(fixIndex) });
        if (forms) indexForms.set(out, forms.map(fix));
        return out;
      }
      case 'unary':
        return keep(node, { ...node, operand: walk(node.operand) });
      case 'binary':
        return keep(node, { ...node, left: walk(node.left), right: walk(node.right) });
      case 'call': {
        const out: Expr = keep(node, { ...node, args: node.args.map((a, i) => (i === 0 && boundSizes.has(node) ? a : walk(a))) });
        const size = checked.boundSizes.get(node);
        if (size !== undefined) boundSizes.set(out, size);
        const forms = checked.indexForms.get(node);
        if (forms) indexForms.set(out, forms.map(fix));
        const padded = checked.pads.get(node);
        if (padded) pads.set(out, padded);
        return out;
      }
      default:
        return node;
    }
  };
  // an index expression as written, the fixed variables as numbers: what the index forms say, for
  // whoever prints the formula (the chain rule checks the text of a transposed map again)
  const fixIndex = (node: Expr): Expr => {
    switch (node.kind) {
      case 'symbol': {
        const value = values.get(node.name);
        return value === undefined ? node : { kind: 'number', value, pos: node.pos, end: node.end };
      }
      case 'unary':
        return { ...node, operand: fixIndex(node.operand) };
      case 'binary':
        return { ...node, left: fixIndex(node.left), right: fixIndex(node.right) };
      case 'index':
        return walk(node);
      default:
        return node;
    }
  };
  const out = walk(expr);
  return {
    expr: out,
    checked: { ...checked, indexForms, boundSizes, freeVars, pads, freeIndices: checked.freeIndices.filter((f) => !values.has(f.name)) },
  };
}
