import type { Algebra, ElementwiseUnary, World } from './algebra';
import type { Expr } from './ast';
import type { CheckedClaim } from './check';

// Evaluates a checked formula in one world. A value is a tensor whose axes are named by index
// variables; binary operations line the axes up by name and broadcast, `sum` removes an axis,
// and a sum over a product is run as a (batched) matrix product, so no subexpression is computed
// for indices it does not depend on and `sum(n, x[n,i] * d[n,j])` never builds an [n,i,j] array.

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

function sizesOf<T>(algebra: Algebra<T>, l: Labelled<T>): Map<string, number> {
  const shape = algebra.shape(l.value);
  return new Map(l.vars.map((v, i) => [v, shape[i]]));
}

function productFactors(node: Expr): Expr[] {
  return node.kind === 'binary' && node.op === '*' ? [...productFactors(node.left), ...productFactors(node.right)] : [node];
}

export class FormulaEvaluator<T> {
  private readonly algebra: Algebra<T>;
  private insideGrad = false;
  /** variables bound by the sum/mean calls being evaluated, innermost last, with their sizes */
  private readonly bound: { name: string; size: number }[] = [];

  constructor(
    private readonly claim: CheckedClaim,
    private readonly world: World<T>,
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
        const k = (node.args[0] as { name: string }).name;
        const size = this.claim.boundSizes.get(node);
        if (size === undefined) throw new EvaluationError(node, `${node.name} over ${k}: no size`);
        this.bound.push({ name: k, size });
        let summed: Labelled<T>;
        try {
          summed = this.evaluateSum(k, node.args[1], env);
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

  /** Σ_k body; a product is contracted pairwise through matMul instead of being built in full. */
  private evaluateSum(k: string, body: Expr, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    const factors = productFactors(body).map((f) => this.evaluate(f, env));
    const withK = factors.filter((f) => f.vars.includes(k));
    const without = factors.filter((f) => !f.vars.includes(k));
    let result: Labelled<T>;
    if (withK.length === 0) throw new EvaluationError(body, `sum over ${k}, which the summand does not use`);
    if (withK.length === 1) {
      result = { vars: withK[0].vars.filter((v) => v !== k), value: A.sum(withK[0].value, withK[0].vars.indexOf(k)) };
    } else {
      const left = withK.slice(0, -1).reduce((a, b) => this.multiply(a, b));
      result = this.contract(left, withK[withK.length - 1], k);
    }
    return without.reduce((a, b) => this.multiply(a, b), result);
  }

  private multiply(a: Labelled<T>, b: Labelled<T>): Labelled<T> {
    const vars = union(a.vars, b.vars);
    return { vars, value: this.algebra.binary('*', alignTo(this.algebra, a, vars), alignTo(this.algebra, b, vars)) };
  }

  /** Σ_k a·b as a batched matrix product over the variables both share. */
  private contract(a: Labelled<T>, b: Labelled<T>, k: string): Labelled<T> {
    const A = this.algebra;
    const sizes = new Map([...sizesOf(A, a), ...sizesOf(A, b)]);
    const shared = a.vars.filter((v) => v !== k && b.vars.includes(v));
    const onlyA = a.vars.filter((v) => v !== k && !b.vars.includes(v));
    const onlyB = b.vars.filter((v) => v !== k && !a.vars.includes(v));
    const count = (vars: string[]): number => vars.reduce((n, v) => n * sizes.get(v)!, 1);
    const left = A.reshape(alignTo(A, a, [...shared, ...onlyA, k]), [count(shared), count(onlyA), sizes.get(k)!]);
    const right = A.reshape(alignTo(A, b, [...shared, k, ...onlyB]), [count(shared), sizes.get(k)!, count(onlyB)]);
    const vars = [...shared, ...onlyA, ...onlyB];
    return { vars, value: A.reshape(A.matMul(left, right), vars.map((v) => sizes.get(v)!)) };
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
