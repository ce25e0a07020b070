import { rowMajorStrides, unravel } from '../foundation/indices';
import type { Algebra, Evaluation, ScalarFormula } from './algebra';
import { boundIndex, nodesOf, type Expr } from './ast';
import type { CheckedFormulas } from './check';
import type { ContractionPlan } from './contractionPlan';
import { contractTerm, type StepCache } from './contractTerm';
import { elementwiseOf, FUNCTIONS } from './functions';
import { plainVariable, type IndexForm } from './indexForms';
import { substitute } from './substitute';
import { factorLabel, isProductTerm, productTermOf, termVars } from './productTerm';

// Evaluates checked formulas in one world. A value is a tensor whose axes are named by index
// variables; binary operations line the axes up by name and broadcast, `sum` removes an axis.
// A sum, a mean or a product with one among its factors is read as one sum of products
// (src/formula/productTerm.ts) and run in the order the contraction planner picks
// (src/formula/contractionPlan.ts, through matMul), so no subexpression is computed for indices
// it does not depend on and `sum(n, x[n,i] * d[n,j])` never builds an [n,i,j] array, whatever
// order the factors are written in.
// A read through index expressions (`x[n, 2*i + p]`, `s[n, t[n]]`, `pad(x, 1)[i + p]`) gathers
// the elements it names, by their flat positions computed here, in both worlds alike.

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

/** The axes of `l` put in the order of `vars` (a superset); vars `l` lacks become size-1 axes. */
export function alignTo<T>(algebra: Algebra<T>, l: Labelled<T>, vars: readonly string[]): T {
  if (l.vars.length === vars.length && l.vars.every((v, i) => v === vars[i])) return l.value;
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

/** `l` read where the pinned indices (by their term ids) hold their values: those axes selected away. */
function pinnedAt<T>(algebra: Algebra<T>, l: Labelled<T>, pinned: ReadonlyMap<string, number>): Labelled<T> {
  let { vars, value } = l;
  for (let axis = vars.length - 1; axis >= 0; axis--) {
    const at = pinned.get(vars[axis]);
    if (at === undefined) continue;
    value = algebra.select(value, axis, at);
    vars = vars.filter((_, i) => i !== axis);
  }
  return { vars, value };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...a, ...b.filter((v) => !a.includes(v))];
}

/**
 * One axis of a gathered read: `index` (each element's index on it, before `pad`) times `stride`
 * added to `flat`, or the element marked -1 in `offsets` where the index falls outside `extent`.
 * In a function of its own, as the other loops of a gathered read: a loop inside `gather` is one
 * V8 compiles alone (on-stack replacement) before the code after it has run, and that code then
 * leaves for the interpreter at every read (several times slower).
 */
function addAxis(flat: Float64Array, offsets: Int32Array, index: Float64Array, pad: number, extent: number, stride: number): void {
  for (let k = 0; k < flat.length; k++) {
    const at = index[k] - pad;
    if (at < 0 || at >= extent) offsets[k] = -1;
    else flat[k] += at * stride;
  }
}

/** Every element's flat position where addAxis left it inside the base. */
function placeAll(offsets: Int32Array, flat: Float64Array): void {
  for (let k = 0; k < flat.length; k++) if (offsets[k] === 0) offsets[k] = flat[k];
}

/** Adds `coef` times the value of variable `slot` at every point of `sizes` (row-major) to `out`. */
function addCoordinate(out: Float64Array, sizes: readonly number[], slot: number, coef: number): void {
  if (!(slot >= 0 && slot < sizes.length)) throw new Error(`an index variable the read uses is not among its axes`);
  const inner = sizes.slice(slot + 1).reduce((a, b) => a * b, 1);
  const size = sizes[slot];
  for (let k = 0; k < out.length; ) {
    for (let v = 0; v < size; v++) {
      const add = coef * v;
      for (let i = 0; i < inner; i++) out[k++] += add;
    }
  }
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
  /** variables bound by the binding calls being evaluated, innermost last, with their sizes */
  private readonly bound: { name: string; size: number }[] = [];

  constructor(
    private readonly checked: CheckedFormulas,
    private readonly world: Evaluation<T>,
    private readonly options: EvaluatorOptions = {},
    /**
     * what an evaluation before this one computed that this one computes again (a claim's rhs
     * on a block of rows, src/claim/rowBlocks.ts): values of nodes (`known`), taken instead of
     * evaluating them, and the steps of sums of products that the varying indices do not reach
     */
    private readonly reuse: { known?: ReadonlyMap<Expr, Labelled<T>>; steps?: StepCache<T> } = {},
  ) {
    this.algebra = world.algebra;
  }

  evaluate(node: Expr, env: Map<string, T> = this.world.env): Labelled<T> {
    // known values are the trial's own: not taken where grad(F, Q) evaluates F at moved values
    const known = env === this.world.env ? this.reuse.known?.get(node) : undefined;
    if (known !== undefined) return known;
    const scoped = this.algebra.scoped;
    return scoped ? scoped(() => this.evaluateNode(node, env)) : this.evaluateNode(node, env);
  }

  private evaluateNode(node: Expr, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    switch (node.kind) {
      case 'number':
        return { vars: [], value: A.scalar(node.value) };
      case 'symbol': {
        // `m` in where's `sum(m, T[i,m] * m)` is the bound m, not a free index
        if (this.checked.indexValues.has(node)) return { vars: [node.name], value: A.iota(this.sizeOf(node, node.name)) };
        return { vars: [], value: this.lookup(node, node.name, env) };
      }
      case 'index':
        return this.evaluateIndexed(node, env);
      case 'unary': {
        const operand = this.evaluate(node.operand, env);
        return { vars: operand.vars, value: A.unary(node.op === '-' ? 'neg' : 'not', operand.value) };
      }
      case 'binary': {
        if (this.options.contraction !== 'written' && isProductTerm(node, this.checked)) return this.evaluateTerm(node, env);
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

  /** The range of index variable `name` where `node` is: the innermost binding call's, else the free index's. */
  private sizeOf(node: Expr, name: string): number {
    const size = this.rangeOf(name);
    if (size === undefined) throw new EvaluationError(node, `index ${name} has no range here`);
    return size;
  }

  /** sizeOf, or undefined where `name` has no range here. */
  private rangeOf(name: string): number | undefined {
    for (let b = this.bound.length - 1; b >= 0; b--) if (this.bound[b].name === name) return this.bound[b].size;
    return this.checked.freeIndices.find((f) => f.name === name)?.size;
  }

  /** `T[i, 0, j]`: integers select, variables name axes, a repeated variable takes the diagonal; index expressions gather. */
  private evaluateIndexed(node: Extract<Expr, { kind: 'index' }>, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    const base = node.base;
    let prefix: string[] = [];
    let value: T;
    let pads: number[] | null = null;
    if (base.kind === 'symbol') value = this.lookup(base, base.name, env);
    else if (base.kind === 'call' && base.name === 'grad') ({ vars: prefix, value } = this.evaluateGrad(base, env));
    else if (base.kind === 'call' && base.name === 'next') value = this.next(base);
    else if (base.kind === 'call' && base.name === 'pad') {
      const target = base.args[0] as Expr & { kind: 'symbol' };
      value = this.lookup(target, target.name, env);
      pads = this.checked.pads.get(base) ?? null;
    } else throw new EvaluationError(node, 'only symbols, grad(…), next(…) and pad(…) can be indexed');
    const forms = this.checked.indexForms.get(node);
    if (forms === undefined) throw new EvaluationError(node, 'an index node the checker did not see');
    const plan = pads === null ? readPlan(node, forms, prefix) : null;
    if (plan === null || !this.wholeAxes(value, prefix, forms)) return this.gather(node, value, prefix, forms, pads, env);
    for (const [axis, index] of plan.selects) value = A.select(value, axis, index);
    for (const [a, b] of plan.diagonals) value = A.diagonal(value, a, b);
    return { vars: plan.vars, value };
  }

  /**
   * Whether every plain variable of a read runs over its axis's whole extent, as a plan's read
   * takes it. In a formula as written the checker makes it so; a formula with some indices fixed
   * (substitute.ts) can read `x[n, j + k]` at k = 0 as `x[n, j]` with j over fewer values than
   * x's axis holds, which only a gather reads right. A variable without a range here (a part of
   * a formula evaluated by itself) takes the axis as it is.
   */
  private wholeAxes(value: T, prefix: string[], forms: IndexForm[]): boolean {
    const shape = this.algebra.shape(value);
    return forms.every((form, a) => {
      const v = plainVariable(form);
      const size = v === null ? undefined : this.rangeOf(v);
      return size === undefined || size === shape[prefix.length + a];
    });
  }

  /**
   * A read through index expressions: the result's axes are the prefix (grad's F indices) and every
   * variable the indices use; each element is the base's element at the flat position the forms
   * give there (−1, read as 0, where a padded read falls in the padding).
   */
  private gather(node: Expr, base: T, prefix: string[], forms: IndexForm[], pads: number[] | null, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    const shape = A.shape(base);
    const vars = [...prefix];
    for (const form of forms) for (const name of this.formVars(form)) if (!vars.includes(name)) vars.push(name);
    const sizes = vars.map((v, i) => (i < prefix.length ? shape[i] : this.sizeOf(node, v)));
    const strides = rowMajorStrides(shape);
    const count = sizes.reduce((a, b) => a * b, 1);
    // each element's flat position in the base, built an axis at a time over every element
    const flat = new Float64Array(count);
    for (let p = 0; p < prefix.length; p++) addCoordinate(flat, sizes, p, strides[p]);
    // a read that falls outside an axis (into a pad) is -1, which `take` reads as 0
    const offsets = new Int32Array(count);
    forms.forEach((form, axis) => addAxis(flat, offsets, this.formValues(node, form, vars, sizes, env), pads ? pads[axis] : 0, shape[prefix.length + axis], strides[prefix.length + axis]));
    placeAll(offsets, flat);
    return { vars, value: A.take(base, offsets, sizes) };
  }

  /** The variables a form reads, those of its integer tensors' elements included, in order. */
  private formVars(form: IndexForm): string[] {
    const names = form.terms.map((t) => t.name);
    for (const g of form.gathers) for (const name of this.checked.freeVars.get(g.node) ?? []) if (!names.includes(name)) names.push(name);
    return names;
  }

  /** A form's value at every point of `vars` (of `sizes`, row-major), the terms then the integer tensors' elements added in order. */
  private formValues(node: Expr, form: IndexForm, vars: string[], sizes: number[], env: Map<string, T>): Float64Array {
    const count = sizes.reduce((a, b) => a * b, 1);
    const out = new Float64Array(count).fill(form.offset);
    for (const t of form.terms) addCoordinate(out, sizes, vars.indexOf(t.name), t.coef);
    for (const g of form.gathers) {
      const name = (g.node.base as Expr & { kind: 'symbol' }).name;
      const values = this.world.integers?.(name);
      const tensor = this.lookup(g.node, name, env);
      if (values === undefined) throw new EvaluationError(node, `no integer values for ${name}`);
      // the integer tensor's flat position at every point
      const strides = rowMajorStrides(this.algebra.shape(tensor));
      const position = new Float64Array(count);
      this.checked.indexForms.get(g.node)!.forEach((f, a) => {
        const index = this.formValues(node, f, vars, sizes, env);
        for (let k = 0; k < count; k++) position[k] += index[k] * strides[a];
      });
      for (let k = 0; k < count; k++) out[k] += g.coef * values[position[k]];
    }
    return out;
  }

  private evaluateCall(node: Extract<Expr, { kind: 'call' }>, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    const role = FUNCTIONS.get(node.name)?.role;
    switch (role) {
      case 'elementwise': {
        const name = elementwiseOf(node.name);
        const args = node.args.map((a) => this.evaluate(a, env));
        if (args.length === 1) return { vars: args[0].vars, value: A.unary(name as Parameters<Algebra<T>['unary']>[0], args[0].value) };
        const vars = union(args[0].vars, args[1].vars);
        return { vars, value: A.binary(name as Parameters<Algebra<T>['binary']>[0], alignTo(A, args[0], vars), alignTo(A, args[1], vars)) };
      }
      case 'reduce': {
        if (node.name !== 'maxover' && node.name !== 'minover' && this.options.contraction !== 'written') return this.evaluateTerm(node, env);
        const k = boundIndex(node).name;
        const size = this.checked.boundSizes.get(node);
        if (size === undefined) throw new EvaluationError(node, `${node.name} over ${k}: no size`);
        this.bound.push({ name: k, size });
        let reduced: Labelled<T>;
        try {
          const body = this.evaluate(node.args[1], env);
          const axis = body.vars.indexOf(k);
          const vars = body.vars.filter((v) => v !== k);
          if (node.name === 'sum' || node.name === 'mean') {
            // a summand the same for every k (its range written out, sum(k < K, …)): K times it
            reduced = axis < 0 ? { vars, value: A.binary('*', body.value, alignTo(A, { vars: [], value: A.scalar(size) }, vars)) } : { vars, value: A.sum(body.value, axis) };
          } else {
            // a body the same for every k is its own largest and smallest
            reduced = axis < 0 ? body : { vars, value: A.extreme(body.value, axis, node.name === 'maxover' ? 'max' : 'min') };
          }
        } finally {
          this.bound.pop();
        }
        if (node.name !== 'mean') return reduced;
        const divisor = alignTo(A, { vars: [], value: A.scalar(size) }, reduced.vars);
        // the sum is this evaluation's own temporary (sum, matMul and binary results are new)
        return { vars: reduced.vars, value: A.binary('/', reduced.value, divisor, true) };
      }
      case 'delta':
        return this.evaluateDelta(node, env);
      case 'indicator':
        // a condition is already 1 where it holds and 0 elsewhere
        return this.evaluate(node.args[0], env);
      case 'grad':
      case 'next':
      case 'pad':
        throw new EvaluationError(node, `${node.name}(…) must be indexed`);
      default:
        throw new EvaluationError(node, `unknown function ${node.name}`);
    }
  }

  /** delta(a, b): 1 where the two index expressions are equal; two distinct plain variables give the identity. */
  private evaluateDelta(node: Extract<Expr, { kind: 'call' }>, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    const forms = this.checked.indexForms.get(node);
    if (forms === undefined) throw new EvaluationError(node, 'delta: the checker did not see it');
    const [i, j] = forms.map(plainVariable);
    if (i !== null && j !== null) {
      if (i === j) return { vars: [i], value: A.fill([this.sizeOf(node, i)], 1) };
      return { vars: [i, j], value: A.eye(this.sizeOf(node, i), this.sizeOf(node, j)) };
    }
    const vars: string[] = [];
    for (const form of forms) for (const name of this.formVars(form)) if (!vars.includes(name)) vars.push(name);
    const sizes = vars.map((v) => this.sizeOf(node, v));
    const [a, b] = forms.map((form) => this.formValues(node, form, vars, sizes, env));
    const data = new Float64Array(a.length);
    for (let k = 0; k < data.length; k++) data[k] = a[k] === b[k] ? 1 : 0;
    return { vars, value: A.constant(sizes, data) };
  }

  private next(node: Extract<Expr, { kind: 'call' }>): T {
    if (!this.world.next) throw new EvaluationError(node, 'next(…) is not available here');
    return this.world.next((node.args[0] as { name: string }).name);
  }

  /** A sum, mean or product with one among its factors, as one sum of products, in the planner's order. */
  private evaluateTerm(node: Expr, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    const term = productTermOf(node, this.checked);
    const pinned = new Map(term.pins.map((p) => [p.binding.id, p.at]));
    const factors = term.factors.flatMap((factor, at) => {
      // a pin's delta is 1 at its value: the other factors are read there instead
      if (factor.pins) return [];
      // the factor sees the term's bound indices (a bound index's value in where reads them)
      this.bound.push(...factor.scope.map(({ name, size }) => ({ name, size })));
      try {
        const { vars, value } = this.evaluate(factor.expr, env);
        const label = this.options.onPlan ? factorLabel(factor.expr) : `#${at}`;
        return [{ value: pinnedAt(A, { vars: termVars(vars, factor.scope), value }, pinned), divides: factor.divides, label }];
      } finally {
        this.bound.length -= factor.scope.length;
      }
    });
    // an index no factor uses (its range written out, sum(k < K, …)) multiplies the term by its range
    const unused = term.summed.filter((b) => !pinned.has(b.id) && !factors.some((f) => f.value.vars.includes(b.id)));
    const summed = term.summed.filter((b) => !unused.includes(b) && !pinned.has(b.id)).map((b) => b.id);
    const order = this.checked.freeIndices.map((f) => f.name);
    if (factors.length === 0) factors.push({ value: { vars: [], value: A.scalar(1) }, divides: false, label: '1' });
    const result = contractTerm(A, factors, summed, term.meanRanges, order, { term, onPlan: this.options.onPlan, steps: this.reuse.steps });
    if (unused.length === 0) return result;
    const times = unused.reduce((p, b) => p * b.size, 1);
    return { vars: result.vars, value: A.binary('*', result.value, alignTo(A, { vars: [], value: A.scalar(times) }, result.vars)) };
  }

  /** grad(F, Q): the free indices of F first, then Q's axes (named by the index that follows). */
  private evaluateGrad(node: Extract<Expr, { kind: 'call' }>, env: Map<string, T>): Labelled<T> {
    const A = this.algebra;
    if (this.insideGrad) throw new EvaluationError(node, 'grad inside grad (a second derivative) is not supported');
    if (env !== this.world.env) throw new EvaluationError(node, 'grad is taken at the trial\'s own values only');
    if (!this.world.gradient) throw new EvaluationError(node, 'grad(…) is not available here');
    const [F, Q] = node.args;
    const symbol = (Q as { name: string }).name;
    // grad(E, P): the world's ∂E/∂P of this trial, when it has one (shared between claims)
    if (F.kind === 'symbol' && F.name === 'E' && !this.checked.indexValues.has(F)) {
      const held = this.world.lossGradient?.(symbol);
      if (held) return { vars: [], value: held };
    }
    const at = this.evaluate(F, env);
    const fVars = at.vars;
    const fShape = A.shape(at.value);
    const outputs = fShape.reduce((n, s) => n * s, 1);
    this.insideGrad = true;
    try {
      const gradient = this.world.gradient;
      const jacobian = gradient(symbol, outputs, (changed) => A.reshape(alignTo(A, this.evaluate(F, changed), fVars), [outputs]), this.outputsOf(F, fVars, fShape));
      const qShape = A.shape(jacobian).slice(1);
      return { vars: fVars, value: A.reshape(jacobian, [...fShape, ...qShape]) };
    } finally {
      this.insideGrad = false;
    }
  }

  /**
   * F's output c (row-major over its free indices `vars`, of sizes `shape`) as a scalar formula:
   * F with those indices fixed. Undefined where F reads a derivative (grad, next), which only a
   * claim's evaluation can take.
   */
  private outputsOf(F: Expr, vars: string[], shape: number[]): ((output: number) => ScalarFormula) | undefined {
    if (readsDerivative(F)) return undefined;
    return (output) => {
      const at = unravel(output, shape);
      const { expr, checked } = substitute(F, this.checked, new Map(vars.map((v, a) => [v, at[a]])));
      return { body: expr, checked };
    };
  }
}

/** Whether a formula takes a derivative (grad, next), which only a claim's evaluation can. */
export const readsDerivative = (formula: Expr): boolean => nodesOf(formula).some((n) => n.kind === 'call' && (n.name === 'grad' || n.name === 'next'));

/** A read by plain variables and whole numbers: the selects (last axis first), then the diagonals, and the axes left. */
interface ReadPlan {
  selects: [number, number][];
  diagonals: [number, number][];
  vars: string[];
}

const readPlans = new WeakMap<Expr, ReadPlan | null>();

/** The plan of a read whose every index is a plain variable or a whole number (cached per node), else null. */
function readPlan(node: Expr, forms: IndexForm[], prefix: string[]): ReadPlan | null {
  if (prefix.length > 0) return planOf(forms, prefix);
  let plan = readPlans.get(node);
  if (plan === undefined) {
    plan = planOf(forms, prefix);
    readPlans.set(node, plan);
  }
  return plan;
}

function planOf(forms: IndexForm[], prefix: string[]): ReadPlan | null {
  if (!forms.every((f) => plainVariable(f) !== null || (f.terms.length === 0 && f.gathers.length === 0))) return null;
  const selects: [number, number][] = [];
  for (let i = forms.length - 1; i >= 0; i--) if (plainVariable(forms[i]) === null) selects.push([prefix.length + i, forms[i].offset]);
  let vars = [...prefix, ...forms.flatMap((f) => plainVariable(f) ?? [])];
  const diagonals: [number, number][] = [];
  for (let b = 1; b < vars.length; b++) {
    const a = vars.indexOf(vars[b]);
    if (a < b) {
      diagonals.push([a, b]);
      vars = vars.filter((_, i) => i !== b);
      b--;
    }
  }
  return { selects, diagonals, vars };
}
