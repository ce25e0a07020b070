import type { Algebra, ElementwiseUnary, World } from './algebra';
import type { Expr } from './ast';
import type { CheckedClaim } from './check';
import type { ContractionPlan } from './contractionPlan';
import { contractTerm } from './contractTerm';
import { factorLabel, isProductTerm, productTermOf, termVars } from './productTerm';

// Evaluates a checked formula in one world. A value is a tensor whose axes are named by index
// variables; binary operations line the axes up by name and broadcast, `sum` removes an axis.
// A sum, a mean or a product with one among its factors is read as one sum of products
// (src/formula/productTerm.ts) and run in the order the contraction planner picks (src/formula/contractionPlan.ts, through matMul), so
// no subexpression is computed for indices it does not depend on and `sum(n, x[n,i] * d[n,j])`
// never builds an [n,i,j] array, whatever order the factors are written in.

export interface Labelled<T> {
  /** index variable of each axis, in axis order */
  vars: string[];
  value: T;
}

/** A failure while evaluating (e.g. nested grad); the caller reports it against the claim. */
export class EvaluationError extends Error {
  constructor(
    readonly node: Expr,
    message: string,
  ) {
    super(message);
  }
}

const ELEMENTWISE: Record<string, ElementwiseUnary> = {
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  abs: 'abs',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  step: 'step',
};

/** The axes of `l` put in the order of `vars` (a superset); vars `l` lacks become size-1 axes. */
export function alignTo<T>(algebra: Algebra<T>, l: Labelled<T>, vars: readonly string[]): T {
  const present = vars.filter((v) => l.vars.includes(v));
  const moved = algebra.transpose(l.value, present.map((v) => l.vars.indexOf(v)));
  if (present.length === vars.length) return moved;
  const shape = algebra.shape(moved);
  let next = 0;
  return algebra.reshape(moved, vars.map((v) => (l.vars.includes(v) ? shape[next++] : 1)));
}

/** Like alignTo, with absent vars broadcast to their full size. */
export function expandTo<T>(algebra: Algebra<T>, l: Labelled<T>, vars: readonly string[], sizes: readonly number[]): T {
  const aligned = alignTo(algebra, l, vars);
  if (vars.every((v) => l.vars.includes(v))) return aligned;
  return algebra.binary('+', aligned, algebra.fill([...sizes], 0));
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...a, ...b.filter((v) => !a.includes(v))];
}

export interface EvaluatorOptions {
  /**
   * 'planned' (the default): sums, means and products with one among their factors run in the
   * planner's order; 'written': as written, every product built in full and then summed (the
   * specs' yardstick; small shapes only)
   */
  contraction?: 'planned' | 'written';
  /** called with each contraction's plan (printPlan makes it readable) */
  onPlan?: (plan: ContractionPlan) => void;
}

export class FormulaEvaluator<T> {
  private readonly algebra: Algebra<T>;
  private insideGrad = false;
  /** variables bound by the sum/mean calls being evaluated, innermost last, with their sizes */
  private readonly bound: { name: string; size: number }[] = [];

  constructor(
    private readonly claim: CheckedClaim,
    private readonly world: World<T>,
    private readonly options: EvaluatorOptions = {},
  ) {
    this.algebra = world.algebra;
  }

  evaluate(node: Expr, env: Map<string, T> = this.world.env): Labelled<T> {
    const scoped = this.algebra.scoped;
    return scoped ? scoped(() => this.evaluateNode(node, env)) : this.evaluateNode(node, env);
  }

  private evaluateNode(node: Expr, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    switch (node.kind) {
      case 'number':
        return { vars: [], value: A.scalar(node.value) };
      case 'symbol': {
        if (this.claim.indexValues.has(node)) {
          // `m` in where's `sum(m, T[i,m] * m)` is the bound m, not a free index
          const binding = [...this.bound].reverse().find((b) => b.name === node.name) ?? this.claim.freeIndices.find((f) => f.name === node.name);
          const size = binding?.size;
          if (size === undefined) throw new EvaluationError(node, `index ${node.name} has no range here`);
          return { vars: [node.name], value: A.iota(size) };
        }
        return { vars: [], value: this.lookup(node, node.name, env) };
      }
      case 'index':
        return this.evaluateIndexed(node, env);
      case 'unary': {
        const operand = this.evaluate(node.operand, env);
        return { vars: operand.vars, value: A.unary(node.op === '-' ? 'neg' : 'not', operand.value) };
      }
      case 'binary': {
        if (this.options.contraction !== 'written' && isProductTerm(node, this.claim)) return this.evaluateTerm(node, env);
        const left = this.evaluate(node.left, env);
        const right = this.evaluate(node.right, env);
        const vars = union(left.vars, right.vars);
        return { vars, value: A.binary(node.op, alignTo(A, left, vars), alignTo(A, right, vars)) };
      }
      case 'call':
        return this.evaluateCall(node, env);
    }
  }

  private lookup(node: Expr, name: string, env: Map<string, T>): T {
    const value = env.get(name);
    if (value === undefined) throw new EvaluationError(node, `no value for symbol ${name}`);
    return value;
  }

  /** `T[i, 0, j]`: integers select, variables name axes, a repeated variable takes the diagonal. */
  private evaluateIndexed(node: Extract<Expr, { kind: 'index' }>, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    const base = node.base;
    let prefix: string[] = [];
    let value: T;
    if (base.kind === 'symbol') value = this.lookup(base, base.name, env);
    else if (base.kind === 'call' && base.name === 'grad') ({ vars: prefix, value } = this.evaluateGrad(base, env));
    else if (base.kind === 'call' && base.name === 'next') value = this.world.next((base.args[0] as { name: string }).name);
    else throw new EvaluationError(node, 'only symbols, grad(…) and next(…) can be indexed');
    const offset = prefix.length;
    for (let i = node.indices.length - 1; i >= 0; i--) {
      const arg = node.indices[i];
      if (arg.kind === 'int') value = A.select(value, offset + i, arg.value);
    }
    let vars = [...prefix, ...node.indices.flatMap((arg) => (arg.kind === 'var' ? [arg.name] : []))];
    for (let b = 1; b < vars.length; b++) {
      const a = vars.indexOf(vars[b]);
      if (a < b) {
        value = A.diagonal(value, a, b);
        vars = vars.filter((_, i) => i !== b);
        b--;
      }
    }
    return { vars, value };
  }

  private evaluateCall(node: Extract<Expr, { kind: 'call' }>, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    const unary = ELEMENTWISE[node.name];
    if (unary !== undefined) {
      const arg = this.evaluate(node.args[0], env);
      return { vars: arg.vars, value: A.unary(unary, arg.value) };
    }
    switch (node.name) {
      case 'sum':
      case 'mean': {
        if (this.options.contraction !== 'written') return this.evaluateTerm(node, env);
        const k = (node.args[0] as { name: string }).name;
        const size = this.claim.boundSizes.get(node);
        if (size === undefined) throw new EvaluationError(node, `${node.name} over ${k}: no size`);
        this.bound.push({ name: k, size });
        let summed: Labelled<T>;
        try {
          const body = this.evaluate(node.args[1], env);
          if (!body.vars.includes(k)) throw new EvaluationError(node.args[1], `sum over ${k}, which the summand does not use`);
          summed = { vars: body.vars.filter((v) => v !== k), value: A.sum(body.value, body.vars.indexOf(k)) };
        } finally {
          this.bound.pop();
        }
        if (node.name === 'sum') return summed;
        const divisor = alignTo(A, { vars: [], value: A.scalar(size) }, summed.vars);
        // the sum is this evaluation's own temporary (sum, matMul and binary results are new)
        return { vars: summed.vars, value: A.binary('/', summed.value, divisor, true) };
      }
      case 'delta': {
        const [i, j] = node.args.map((a) => (a as { name: string }).name);
        const sizes = this.claim.deltaSizes.get(node);
        if (sizes === undefined) throw new EvaluationError(node, 'delta: no sizes');
        if (i === j) return { vars: [i], value: A.fill([sizes[0]], 1) };
        return { vars: [i, j], value: A.eye(sizes[0], sizes[1]) };
      }
      case 'grad':
      case 'next':
        throw new EvaluationError(node, `${node.name}(…) must be indexed like the symbol it is taken of`);
      default:
        throw new EvaluationError(node, `unknown function ${node.name}`);
    }
  }

  /** A sum, mean or product with one among its factors, as one sum of products, in the planner's order. */
  private evaluateTerm(node: Expr, env: Map<string, T>): Labelled<T> {
    const term = productTermOf(node, this.claim);
    const factors = term.factors.map((factor, at) => {
      // the factor sees the term's bound indices (a bound index's value in where reads them)
      this.bound.push(...factor.scope.map(({ name, size }) => ({ name, size })));
      try {
        const { vars, value } = this.evaluate(factor.expr, env);
        const label = this.options.onPlan ? factorLabel(factor.expr) : `#${at}`;
        return { value: { vars: termVars(vars, factor.scope), value }, divides: factor.divides, label };
      } finally {
        this.bound.length -= factor.scope.length;
      }
    });
    for (const binding of term.summed) {
      if (!factors.some((f) => f.value.vars.includes(binding.id))) throw new EvaluationError(node, `sum over ${binding.name}, which the summand does not use`);
    }
    const order = this.claim.freeIndices.map((f) => f.name);
    return contractTerm(this.algebra, factors, term.summed.map((b) => b.id), term.meanRanges, order, { term, onPlan: this.options.onPlan });
  }

  /** grad(F, Q): the free indices of F first, then Q's axes (named by the index that follows). */
  private evaluateGrad(node: Extract<Expr, { kind: 'call' }>, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    if (this.insideGrad) throw new EvaluationError(node, 'grad inside grad (a second derivative) is not supported');
    if (env !== this.world.env) throw new EvaluationError(node, 'grad is taken at the trial\'s own values only');
    const [F, Q] = node.args;
    const symbol = (Q as { name: string }).name;
    // grad(E, P): the world's ∂E/∂P of this trial, when it has one (shared between claims)
    if (F.kind === 'symbol' && F.name === 'E' && !this.claim.indexValues.has(F)) {
      const held = this.world.lossGradient?.(symbol);
      if (held) return { vars: [], value: held };
    }
    const at = this.evaluate(F, env);
    const fVars = at.vars;
    const fShape = A.shape(at.value);
    const outputs = fShape.reduce((n, s) => n * s, 1);
    this.insideGrad = true;
    try {
      const jacobian = this.world.gradient(symbol, outputs, (changed) => A.reshape(alignTo(A, this.evaluate(F, changed), fVars), [outputs]));
      const qShape = A.shape(jacobian).slice(1);
      return { vars: fVars, value: A.reshape(jacobian, [...fShape, ...qShape]) };
    } finally {
      this.insideGrad = false;
    }
  }
}
