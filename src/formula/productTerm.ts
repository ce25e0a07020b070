import { boundIndex, type Expr } from './ast';
import type { CheckedFormulas } from './check';
import { plainVariable, type IndexForm } from './indexForms';
import { printFormula } from './printer';

// A product node, a sum or a mean read as one sum of products: the factors it multiplies, the
// indices it sums over and what it divides by. Nested sums and means among the factors are
// opened up (Σ_n x[n,i]·Σ_k d[n,k]·W[j,k] is Σ_{n,k} x[n,i]·d[n,k]·W[j,k]), so the contraction
// planner may reorder them; `a / s` with a scalar s divides, a mean divides by its range. A
// factor delta(k, c) with k summed and c a number holds k at c: the other factors are read there
// (a selection, not a product with a one-hot vector).

/**
 * An index bound by a sum or mean of the term; `id` names it apart from any other index of the
 * term: its name, or `name#n` where the name is bound twice or also free in the term.
 */
export interface TermBinding {
  name: string;
  size: number;
  id: string;
}

export interface TermFactor {
  expr: Expr;
  /** the term's bindings visible where the factor stands, outermost first */
  scope: TermBinding[];
  /** a scalar the term is divided by, rather than a factor it multiplies */
  divides: boolean;
  /** `delta(k, c)` with k summed by the term and c a number in its range: the pin it makes */
  pins?: TermPin;
}

/** A summed index held at one value: the term is its summand there (Σ_k f_k·δ(k, c) = f_c). */
export interface TermPin {
  binding: TermBinding;
  at: number;
}

export interface ProductTerm {
  factors: TermFactor[];
  /** every index the term sums over, outermost first */
  summed: TermBinding[];
  /** the ranges of the means, in order: the term is divided by each */
  meanRanges: number[];
  /** summed indices that a delta factor holds at one value */
  pins: TermPin[];
}

const isReduce = (node: Expr): boolean => node.kind === 'call' && (node.name === 'sum' || node.name === 'mean');
const isProductStep = (node: Expr, claim: CheckedFormulas): node is Expr & { kind: 'binary' } =>
  node.kind === 'binary' && (node.op === '*' || (node.op === '/' && claim.freeVars.get(node.right)?.length === 0));

/**
 * Whether `node` is evaluated as a sum of products: a sum, a mean, or a product (or division by
 * a scalar) with a sum or mean among its factors. A product without one is an elementwise product
 * of everything its factors hold: no order makes it smaller, so it runs as written.
 */
export function isProductTerm(node: Expr, claim: CheckedFormulas): boolean {
  const hasReduceFactor = (expr: Expr): boolean => isReduce(expr) || (isProductStep(expr, claim) && (hasReduceFactor(expr.left) || (expr.op === '*' && hasReduceFactor(expr.right))));
  return isReduce(node) || (isProductStep(node, claim) && hasReduceFactor(node));
}

/** Terms by their node: a formula inside grad(…) is evaluated once per finite-difference pass. */
const terms = new WeakMap<Expr, ProductTerm>();

export function productTermOf(node: Expr, claim: CheckedFormulas): ProductTerm {
  let term = terms.get(node);
  if (term === undefined) {
    term = readTerm(node, claim);
    terms.set(node, term);
  }
  return term;
}

function readTerm(node: Expr, claim: CheckedFormulas): ProductTerm {
  const term: ProductTerm = { factors: [], summed: [], meanRanges: [], pins: [] };
  const free = claim.freeVars.get(node) ?? [];
  const collect = (expr: Expr, scope: TermBinding[], divides: boolean): void => {
    if (!divides && expr.kind === 'binary' && expr.op === '*') {
      collect(expr.left, scope, false);
      collect(expr.right, scope, false);
      return;
    }
    if (!divides && expr.kind === 'binary' && expr.op === '/' && claim.freeVars.get(expr.right)?.length === 0) {
      collect(expr.left, scope, false);
      term.factors.push({ expr: expr.right, scope, divides: true });
      return;
    }
    if (!divides && expr.kind === 'call' && (expr.name === 'sum' || expr.name === 'mean')) {
      const name = boundIndex(expr).name;
      const size = claim.boundSizes.get(expr);
      if (size === undefined) throw new Error(`productTermOf: ${expr.name} over ${name} has no size`);
      const binding = { name, size, id: `${name}#${term.summed.length}` };
      term.summed.push(binding);
      if (expr.name === 'mean') term.meanRanges.push(size);
      collect(expr.args[1], [...scope, binding], false);
      return;
    }
    const pin = divides ? null : pinOf(expr, scope, claim);
    if (pin && !term.pins.some((p) => p.binding === pin.binding)) {
      term.pins.push(pin);
      term.factors.push({ expr, scope, divides, pins: pin });
      return;
    }
    term.factors.push({ expr, scope, divides });
  };
  collect(node, [], false);
  for (const b of term.summed) if (!free.includes(b.name) && term.summed.filter((other) => other.name === b.name).length === 1) b.id = b.name;
  return term;
}

/** `delta(k, c)` (or `delta(c, k)`) with k bound in `scope` and c a whole number in k's range: k held at c. */
function pinOf(expr: Expr, scope: readonly TermBinding[], claim: CheckedFormulas): TermPin | null {
  if (expr.kind !== 'call' || expr.name !== 'delta') return null;
  const forms = claim.indexForms.get(expr);
  if (forms === undefined) return null;
  const isNumber = (f: IndexForm) => f.terms.length === 0 && f.gathers.length === 0;
  for (const [variable, value] of [forms, [...forms].reverse()]) {
    const name = plainVariable(variable);
    if (name === null || !isNumber(value)) continue;
    const binding = [...scope].reverse().find((b) => b.name === name);
    if (binding && value.offset >= 0 && value.offset < binding.size) return { binding, at: value.offset };
  }
  return null;
}

/** A factor's index variables as the term names them: a bound one by its binding's id. */
export function termVars(vars: readonly string[], scope: readonly TermBinding[]): string[] {
  return vars.map((v) => {
    for (let s = scope.length - 1; s >= 0; s--) if (scope[s].name === v) return scope[s].id;
    return v;
  });
}

/** A factor as a printed plan shows it: an operation in parentheses (`(o[n,k] - y[n,k])`). */
export function factorLabel(expr: Expr): string {
  return expr.kind === 'binary' || expr.kind === 'unary' ? `(${printFormula(expr)})` : printFormula(expr);
}
