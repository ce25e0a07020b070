import { boundIndex, type Expr } from './ast';
import type { CheckedFormulas } from './check';
import { plainVariable } from './indexForms';
import { linearPart } from './linearPart';
import { printFormula } from './printer';

// The chain rule through a definition linear in a tensor P: when D = Σ (coefficients)·P[p…] is the
// only formula that reads P, ∂E/∂P[p…] = Σ over every other index of (coefficients)·∂E/∂D[…],
// again a formula. The reference world uses it to get all of ∂E/∂W from ∂E/∂net (N·d elements
// differentiated instead of d_in·d), exactly as the chain rule in one variable per element of D.

interface Term {
  scale: number;
  /** variables bound by the sums and means around the read, innermost last, with their sizes */
  bound: { name: string; size: number }[];
  factors: Expr[];
  divisors: Expr[];
  read: Expr & { kind: 'index' };
}

function termsOf(node: Expr, symbol: string, checked: CheckedFormulas): Term[] | null {
  if (node.kind === 'index' && node.base.kind === 'symbol' && node.base.name === symbol) return [{ scale: 1, bound: [], factors: [], divisors: [], read: node }];
  const map = (terms: Term[] | null, f: (t: Term) => Term) => terms && terms.map(f);
  switch (node.kind) {
    case 'unary':
      return node.op === '-' ? map(termsOf(node.operand, symbol, checked), (t) => ({ ...t, scale: -t.scale })) : null;
    case 'binary': {
      if (node.op === '+' || node.op === '-') {
        const left = termsOf(node.left, symbol, checked);
        const right = termsOf(node.right, symbol, checked);
        if (!left || !right) return null;
        return [...left, ...(node.op === '+' ? right : right.map((t) => ({ ...t, scale: -t.scale })))];
      }
      if (node.op === '*') {
        // the linear part has the symbol on exactly one side (linearPart.ts)
        const left = termsOf(node.left, symbol, checked);
        if (left) return left.map((t) => ({ ...t, factors: [...t.factors, node.right] }));
        return map(termsOf(node.right, symbol, checked), (t) => ({ ...t, factors: [node.left, ...t.factors] }));
      }
      if (node.op === '/') return map(termsOf(node.left, symbol, checked), (t) => ({ ...t, divisors: [...t.divisors, node.right] }));
      return null;
    }
    case 'call': {
      if (node.name !== 'sum' && node.name !== 'mean') return null;
      const name = boundIndex(node).name;
      const size = checked.boundSizes.get(node)!;
      return map(termsOf(node.args[1], symbol, checked), (t) => ({ ...t, scale: node.name === 'mean' ? t.scale / size : t.scale, bound: [{ name, size }, ...t.bound] }));
    }
    default:
      return null;
  }
}

/** Parenthesised text of a factor. */
const text = (e: Expr) => `(${printFormula(e)})`;

export interface Transposed {
  /** P's axes: the plain index variables P is read with */
  vars: string[];
  /** formula text of ∂E/∂P[vars], reading the gradient of D as `gradient[D's vars]` */
  formula: string;
  /** the same with every factor and the gradient taken absolutely: Σ|terms|, for the rounding of the sums */
  magnitude: string;
  /** how many products are summed into one element, at most */
  summed: number;
}

/**
 * ∂E/∂P as a formula in ∂E/∂D (named `gradient`), for D = `body` over `vars`, or null when D is not
 * linear in P or P is not read with distinct plain index variables (pad, affine or gathered reads).
 */
export function transposeLinear(body: Expr, vars: readonly string[], shape: readonly number[], symbol: string, checked: CheckedFormulas, gradient: string, absolute: string): Transposed | null {
  const part = linearPart(body, symbol, checked);
  if (part === null) return null;
  const terms = termsOf(part.expr, symbol, part.checked);
  if (terms === null || terms.length === 0) return null;
  let pVars: string[] | null = null;
  const formulas: string[] = [];
  const magnitudes: string[] = [];
  let summed = 1;
  for (const term of terms) {
    const forms = part.checked.indexForms.get(term.read) ?? [];
    const plain = forms.map(plainVariable);
    if (plain.some((v) => v === null) || new Set(plain).size !== plain.length) return null;
    const names = plain as string[];
    if (pVars === null) pVars = names;
    else if (pVars.join(',') !== names.join(',')) return null;
    const boundNames = term.bound.map((b) => b.name);
    if (new Set(boundNames).size !== boundNames.length || boundNames.some((b) => vars.includes(b))) return null;
    // every index but P's own is summed: D's axes and the term's bound variables
    const over = [...vars.filter((v) => !names.includes(v)), ...boundNames.filter((b) => !names.includes(b))];
    // a scalar reader (the loss itself) is read bare
    const indexed = (name: string) => (vars.length === 0 ? name : `${name}[${vars.join(',')}]`);
    const read = indexed(gradient);
    const readAbs = indexed(absolute);
    // a coefficient of 1 left out: it would be one more pass over the result (of P's size), multiplying by 1
    const coefficient = Math.abs(term.scale) === 1 ? [] : [String(Math.abs(term.scale))];
    const product = [...coefficient, ...term.factors.map(text), read].join(' * ') + term.divisors.map((d) => ` / ${text(d)}`).join('');
    const productAbs = [...coefficient, ...term.factors.map((f) => `abs${text(f)}`), readAbs].join(' * ') + term.divisors.map((d) => ` / abs${text(d)}`).join('');
    const wrap = (inner: string) => over.reduceRight((acc, v) => `sum(${v}, ${acc})`, inner);
    formulas.push(`${term.scale < 0 ? '-' : ''}${wrap(product)}`);
    magnitudes.push(wrap(productAbs));
    const sizes = new Map([...vars.map((v, a): [string, number] => [v, shape[a]]), ...term.bound.map((b): [string, number] => [b.name, b.size])]);
    summed += over.reduce((n, v) => n * (sizes.get(v) ?? 1), 1) * (term.factors.length + term.divisors.length + 2);
  }
  if (pVars === null || pVars.length === 0) return null;
  return { vars: pVars, formula: formulas.map((f, i) => (i === 0 ? f : f.startsWith('-') ? ` - ${f.slice(1)}` : ` + ${f}`)).join(''), magnitude: magnitudes.join(' + '), summed };
}
