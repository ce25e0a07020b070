import { float64Array, giveBack } from '../foundation/arrayPool';
import { unravel } from '../foundation/indices';
import { boundIndex, type Expr } from '../formula/ast';
import { bindsInside } from '../formula/bindsInside';
import type { CheckedFormulas } from '../formula/check';
import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import { atSlice, atUnit, linearPart, type LinearPart } from '../formula/linearPart';
import { substitute } from '../formula/substitute';
import type { CheckedComputation, Definition } from '../scenario/compile';
import type { Floats } from '../foundation/tensor';
import type { Value64 } from './algebra64';
import { evaluateDefinition, evaluation, formWhileMoving, namesOf, type Env64, type Form, type KinkWatch } from './definitions64';
import { anywhere, isRestricted, supportOf, type Support } from './support64';

// The computation with one symbol moved along a direction, t ↦ env(Q + t·v), for derivatives by
// finite differences. Only the definitions downstream of Q are computed again, only when read,
// and only where the move can change them (their support, src/reference/support64.ts): moving
// one element of net1 changes one row of what follows it. A definition that reads nothing else
// that moves and is linear in Q moves along a line, D(t) = D + t·D_lin(v)
// (src/formula/linearPart.ts): D_lin(v) is computed once. One that changes everywhere, linear in
// a single moving input that changes on a slice, adds its linear part of that slice's change
// (an increment). The function of t is the same; only where rounding happens differs (≈1e-16
// relative), far below any tolerance.

/** A dense direction over all of Q's elements, or one element (the unit tensor e_index). */
export type Direction64 = { kind: 'dense'; data: Float64Array } | { kind: 'element'; index: number };

/**
 * t ↦ the environment with Q moved by t along the direction; the environments share tensors with
 * the base: read them, never write. `loss`, when the loss is a sum over an index that the move
 * fixes (a batch's rows): t ↦ the part of E that moves (E minus a constant), and the size of
 * the numbers it is computed from (its rounding is relative to those, not to its own size).
 */
export type MovedPass = ((t: number) => Env64) & {
  loss?: { at(t: number): number; magnitude: number };
  /** how each moving definition is computed again */
  kinds: ReadonlyMap<string, 'line' | 'slice' | 'increment' | 'full'>;
  /**
   * With `reuse`: gives the arrays the moved tensors were written into, and the definitions
   * computed for the last t, back to the trial's pool. The caller is done with every environment.
   */
  release(): void;
};

/** An environment whose moved entries are computed when first read. */
class MovedEnv extends Map<string, Value64> {
  constructor(
    private readonly base: Env64,
    private readonly pending: Map<string, () => Value64>,
  ) {
    super();
  }

  override get(name: string): Value64 | undefined {
    const own = super.get(name);
    if (own !== undefined) return own;
    const build = this.pending.get(name);
    if (build === undefined) return this.base.get(name);
    const value = build();
    super.set(name, value);
    return value;
  }

  override has(name: string): boolean {
    return super.has(name) || this.pending.has(name) || this.base.has(name);
  }
}

/**
 * A line's tangent: dense (`positions` null), or its values at the positions where it can be
 * nonzero (a moved element's column), when those are fewer than a quarter of the elements.
 */
interface Tangent {
  values: Float64Array;
  positions: Int32Array | null;
}

function tangentFrom(data: Float64Array): Tangent {
  let count = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
  if (count * 4 >= data.length) return { values: data, positions: null };
  const positions = new Int32Array(count);
  const values = new Float64Array(count);
  for (let i = 0, k = 0; i < data.length; i++) {
    if (data[i] === 0) continue;
    positions[k] = i;
    values[k++] = data[i];
  }
  return { values, positions };
}

/**
 * Where each moved tensor is written. With `reuse` (the caller is done with an environment before
 * it asks for the next, keeping numbers, never arrays), one array per tensor for every t, holding
 * the base value where the move does not write; else a new copy of the base value each time.
 */
class MovedArrays {
  private readonly held = new Map<string, Float64Array>();

  constructor(private readonly reuse: boolean) {}

  /** an array for tensor `name` holding `base`'s values wherever the move does not write */
  of(name: string, base: Floats): Float64Array {
    if (!this.reuse) return Float64Array.from(base);
    let data = this.held.get(name);
    if (data === undefined) {
      data = float64Array(base.length);
      data.set(base);
      this.held.set(name, data);
    }
    return data;
  }

  /** Whether `array` is one of the arrays held, or a view of one. */
  holds(array: Floats): boolean {
    for (const held of this.held.values()) if (held.buffer === array.buffer) return true;
    return false;
  }

  /** With `reuse`, the arrays held go back to the trial's pool (those it issued). */
  release(): void {
    giveBack(...this.held.values());
    this.held.clear();
  }
}

/** A definition's form with its fixed axes substituted, and where its slice sits in the whole. */
interface Slice {
  body: Expr;
  checked: CheckedFormulas;
  /** the axes left free, and the flat position in the whole tensor of each element of the slice */
  vars: string[];
  shape: number[];
  positions: Int32Array;
}

/** The slice of a tensor of `shape` that `support` fixes: its shape (the free axes), and the flat position in the whole of each of its elements. */
function slicePositions(shape: readonly number[], support: Support): { free: number[]; shape: number[]; positions: Int32Array } {
  const free = shape.map((_, a) => (support[a] === null ? a : -1)).filter((a) => a >= 0);
  const sliceShape = free.map((a) => shape[a]);
  const count = sliceShape.reduce((n, s) => n * s, 1);
  const positions = new Int32Array(count);
  const strides = shape.map((_, a) => shape.slice(a + 1).reduce((n, s) => n * s, 1));
  const fixedPart = support.reduce<number>((sum, at, a) => sum + (at ?? 0) * strides[a], 0);
  for (let k = 0; k < count; k++) {
    const at = unravel(k, sliceShape);
    positions[k] = fixedPart + free.reduce((sum, a, i) => sum + at[i] * strides[a], 0);
  }
  return { free, shape: sliceShape, positions };
}

/**
 * What a move derives from a formula's text and its indices' sizes alone, kept by the formula (its
 * body node), those sizes and a key: a jacobian moves each element in turn, and many share their
 * rows, so their slices and linear parts (and the contraction plans kept by those nodes) are made
 * once. The sizes are part of it: the same formula is also evaluated over more rows (column runs
 * stacked, colouredGradient64.ts).
 */
const derived = new WeakMap<Expr, Map<string, unknown>>();

function derivedOf<R>(form: Pick<Form, 'body' | 'checked'>, key: string, make: () => R): R {
  let byKey = derived.get(form.body);
  if (byKey === undefined) derived.set(form.body, (byKey = new Map()));
  const sized = `${key} @${form.checked.freeIndices.map((f) => f.size).join(',')}`;
  if (!byKey.has(sized)) byKey.set(sized, make());
  return byKey.get(sized) as R;
}

const supportKey = (support: Support) => support.map((s) => s ?? '*').join(',');

function sliceOf(d: Definition, form: Form, support: Support): Slice {
  return derivedOf(form, `slice ${supportKey(support)}`, () => makeSlice(d, form, support));
}

function makeSlice(d: Definition, form: Form, support: Support): Slice {
  const fixed = new Map<string, number>();
  d.vars.forEach((v, a) => {
    if (support[a] !== null) fixed.set(v, support[a]!);
  });
  const { expr, checked } = substitute(form.body, form.checked, fixed);
  const { free, shape, positions } = slicePositions(d.shape, support);
  return { body: expr, checked, vars: free.map((a) => d.vars[a]), shape, positions };
}

/** The name the moving slice of an increment's input goes by (no formula can name it). */
const SLICE = '#slice';

/**
 * A definition that changes everywhere though its one moving input changes on a slice only, and
 * is linear in that input: D(t) = D + D_lin(R(t) − R), with R(t) − R read on its slice
 * (`part`, linearPart.ts's atSlice). net2 = a1·W2 while one column of a1 moves is an outer
 * product of that column's change and a row of W2, not a matrix product.
 */
interface Increment {
  input: string;
  part: LinearPart;
  slice: { shape: number[]; positions: Int32Array };
}

/**
 * `reuse`: the caller is done with each environment before asking for the next (it keeps the
 * numbers it computes from one, never its arrays): moved tensors are written into the same arrays
 * for every t.
 */
export function movedPass(computation: CheckedComputation, base: Env64, watch: KinkWatch, symbol: string, direction: Direction64, reuse = false): MovedPass {
  const name = computation.aliases.get(symbol) ?? symbol;
  const q = base.get(name);
  if (q === undefined) throw new Error(`no symbol ${symbol} in this computation`);
  const names = namesOf(computation, symbol);
  // Q's direction as a tensor of Q's shape (dense), or Q's element
  const unit = direction.kind === 'element' ? unravel(direction.index, q.shape) : null;
  const tangentOfQ = direction.kind === 'dense' ? direction.data : null;

  // the definitions that move, each with the form it is computed by while Q moves, and where
  const moving = new Map<Definition, Form>();
  const supports = new Map<string, Support>(names.map((n) => [n, unit ?? anywhere(q.shape.length)]));
  for (const d of computation.definitions) {
    if (d.name === name) continue;
    const form = formWhileMoving(d, name);
    const changed = new Map([...form.reads].filter((r) => supports.has(r)).map((r) => [r, supports.get(r)!]));
    if (changed.size === 0) continue;
    moving.set(d, form);
    supports.set(d.name, supportOf(form.body, form.checked, d.vars, changed));
  }

  // lines: definitions that read nothing else that moves and are linear in Q
  const lines = new Map<Definition, Tangent>();
  for (const [d, form] of moving) {
    if (![...form.reads].every((r) => r === name || !supports.has(r) || names.includes(r))) continue;
    const part = derivedOf(form, `linear ${name}`, () => linearPart(form.body, name, form.checked));
    if (part === null) continue;
    if (unit === null) {
      lines.set(d, tangentFrom(tangentOf(d, part)));
      continue;
    }
    // a moved element: the tangent is computed where it can be nonzero only (d's slice)
    const support = supports.get(d.name)!;
    const slice = derivedOf(form, `unit slice ${name} ${unit.join(',')}`, () => {
      const at = atUnit(part, name, unit);
      return sliceOf(d, { body: at.expr, checked: at.checked, reads: form.reads }, support);
    });
    lines.set(d, isRestricted(support) ? { values: evaluateSlice(d, slice, base), positions: slice.positions } : tangentFrom(evaluateSlice(d, slice, base)));
  }
  // the others where they can change, when that is less than everywhere
  const slices = new Map<Definition, Slice>();
  for (const [d, form] of moving) if (!lines.has(d) && isRestricted(supports.get(d.name)!)) slices.set(d, sliceOf(d, form, supports.get(d.name)!));
  // those that change everywhere, linear in their one moving input, which moves on a slice
  const increments = new Map<Definition, Increment>();
  for (const [d, form] of moving) {
    if (lines.has(d) || slices.has(d)) continue;
    const movingReads = [...form.reads].filter((r) => supports.has(r));
    const input = movingReads[0];
    const support = supports.get(input);
    if (movingReads.length !== 1 || support === undefined || !isRestricted(support)) continue;
    const part = derivedOf(form, `increment ${input} ${supportKey(support)}`, () => {
      const linear = linearPart(form.body, input, form.checked);
      return linear && atSlice(linear, input, support, SLICE);
    });
    if (part) increments.set(d, { input, part, slice: derivedOf(form, `positions ${input} ${supportKey(support)}`, () => slicePositions(base.get(input)!.shape, support)) });
  }

  /** A slice's values in `env`, laid out over its free axes. */
  function evaluateSlice(d: Definition, slice: Slice, env: Env64): Float64Array {
    const run = () => expandTo(watch.algebra, new FormulaEvaluator(slice.checked, evaluation(watch, env)).evaluate(slice.body, env), slice.vars, slice.shape);
    const data = (d.smooth ? watch.unwatched(run) : run()).data;
    return data instanceof Float64Array ? data : Float64Array.from(data);
  }

  function tangentOf(d: Definition, part: LinearPart): Float64Array {
    const env: Env64 = new Map(base);
    if (tangentOfQ) env.set(name, { shape: q!.shape, data: tangentOfQ });
    const value = expandTo(watch.algebra, new FormulaEvaluator(part.checked, evaluation(watch, env)).evaluate(part.expr, env), d.vars, d.shape);
    return value.data instanceof Float64Array ? value.data : Float64Array.from(value.data);
  }

  const arrays = new MovedArrays(reuse);

  /** The definition's slice evaluated in `env`, written into a copy of its base value. */
  function sliced(d: Definition, slice: Slice, env: Env64): Value64 {
    const part = evaluateSlice(d, slice, env);
    const whole = base.get(d.name)!;
    const data = arrays.of(d.name, whole.data);
    for (let k = 0; k < slice.positions.length; k++) data[slice.positions[k]] = part[k];
    return { shape: whole.shape, data };
  }

  /** A line's value at t: base + t·tangent. */
  function along(d: Definition, tangent: Tangent, t: number): Value64 {
    const whole = base.get(d.name)!;
    const from = whole.data;
    const data = arrays.of(d.name, from);
    const { values, positions } = tangent;
    if (positions) for (let k = 0; k < positions.length; k++) data[positions[k]] = from[positions[k]] + t * values[k];
    else for (let i = 0; i < data.length; i++) data[i] = from[i] + t * values[i];
    return { shape: whole.shape, data };
  }

  /** The definition's base value plus its linear part of its input's change, read on the input's slice. */
  function incremented(d: Definition, increment: Increment, env: Env64): Value64 {
    const { positions, shape } = increment.slice;
    const moved = env.get(increment.input)!.data;
    const before = base.get(increment.input)!.data;
    const change = new Float64Array(positions.length);
    for (let k = 0; k < positions.length; k++) change[k] = moved[positions[k]] - before[positions[k]];
    const local = new MovedEnv(base, new Map([[SLICE, () => ({ shape, data: change })]]));
    const run = () => expandTo(watch.algebra, new FormulaEvaluator(increment.part.checked, evaluation(watch, local)).evaluate(increment.part.expr, local), d.vars, d.shape);
    const delta = (d.smooth ? watch.unwatched(run) : run()).data;
    const whole = base.get(d.name)!;
    const from = whole.data;
    const data = arrays.of(d.name, from);
    for (let i = 0; i < data.length; i++) data[i] = from[i] + delta[i];
    return { shape: whole.shape, data };
  }

  // with `reuse`, the definitions computed in full for one t, whose arrays (those from the
  // trial's pool) go back to it when the next t is asked for: the caller is done with them then
  let computed: Value64[] = [];
  const full = (d: Definition, form: Form, env: Env64): Value64 => {
    const value = evaluateDefinition(d, form, env, watch);
    if (reuse) computed.push(value);
    return value;
  };

  // a definition that reads a moved tensor as it is (D = P) computes to that tensor's own array,
  // which is held for every t: it goes back with the others, on release
  const giveBackComputed = () => {
    giveBack(...computed.flatMap((v) => [v.data, v.error]).filter((a) => a === undefined || !arrays.holds(a)));
    computed = [];
  };
  const pass = ((t: number) => {
    giveBackComputed();
    const pending = new Map<string, () => Value64>();
    const movedQ = (): Value64 => {
      const data = arrays.of(name, q.data);
      if (tangentOfQ) for (let i = 0; i < data.length; i++) data[i] = q.data[i] + t * tangentOfQ[i];
      else {
        const index = (direction as { index: number }).index;
        data[index] = q.data[index] + t;
      }
      return { shape: q.shape, data };
    };
    let value: Value64 | null = null;
    for (const n of names) pending.set(n, () => (value ??= movedQ()));
    const env = new MovedEnv(base, pending);
    for (const [d, form] of moving) {
      const line = lines.get(d);
      const slice = slices.get(d);
      const increment = increments.get(d);
      pending.set(
        d.name,
        line ? () => along(d, line, t) : slice ? () => sliced(d, slice, env) : increment ? () => incremented(d, increment, env) : () => full(d, form, env),
      );
    }
    return env;
  }) as unknown as MovedPass;
  pass.release = () => {
    if (!reuse) return;
    giveBackComputed();
    arrays.release();
  };
  pass.kinds = new Map([...moving.keys()].map((d) => [d.name, lines.has(d) ? 'line' : slices.has(d) ? 'slice' : increments.has(d) ? 'increment' : 'full']));
  const loss = computation.definitions.find((d) => d.name === 'E');
  const form = loss && moving.get(loss);
  if (form) {
    const restricted = restrictLoss(form, supports);
    if (restricted) {
      const evaluate = (env: Env64) => {
        const out = new FormulaEvaluator(restricted.checked, evaluation(watch, env)).evaluate(restricted.expr, env);
        return restricted.scale * out.value.data[0];
      };
      const hidden = new Set(computation.definitions.filter((d) => d.hidden).map((d) => d.name));
      pass.loss = { at: (t) => evaluate(pass(t)), magnitude: Math.abs(restricted.scale) * magnitudeOf(restricted.expr, restricted.checked, base, watch, hidden) };
    }
  }
  return pass;
}

/**
 * The loss written as −mean(n, …), sum(n, …) / 2, sum(n, sum(d, …)), …: where the move fixes a
 * summed index (every changed input of the summand is read at one value of it), the summand at
 * that value, times what the wrappers multiply by: E minus the terms that do not move. An outer
 * sum whose index the move does not fix is kept around an inner one that is restricted
 * (Σ_n Σ_d f with d fixed at c is Σ_n f(n, c) plus a constant).
 */
function restrictLoss(form: Form, supports: ReadonlyMap<string, Support>): { expr: Expr; checked: CheckedFormulas; scale: number } | null {
  const restrict = (node: Expr, checked: CheckedFormulas): { expr: Expr; checked: CheckedFormulas; scale: number } | null => {
    if (node.kind === 'unary' && node.op === '-') {
      const inner = restrict(node.operand, checked);
      return inner && { ...inner, scale: -inner.scale };
    }
    if (node.kind === 'binary' && (node.op === '*' || node.op === '/') && node.right.kind === 'number') {
      const inner = restrict(node.left, checked);
      const by = node.right.value;
      return inner && { ...inner, scale: node.op === '*' ? inner.scale * by : inner.scale / by };
    }
    if (node.kind === 'binary' && node.op === '*' && node.left.kind === 'number') {
      const inner = restrict(node.right, checked);
      return inner && { ...inner, scale: inner.scale * (node.left as { value: number }).value };
    }
    if (node.kind !== 'call' || (node.name !== 'sum' && node.name !== 'mean')) return null;
    const variable = boundIndex(node).name;
    const body = node.args[1];
    // an inner reduction over the same name reads every value of it: no part of E stands alone
    if (bindsInside(body, variable)) return null;
    const size = checked.boundSizes.get(node)!;
    const perTerm = node.name === 'mean' ? 1 / size : 1;
    const changed = new Map([...supports].filter(([n]) => mentions(body, n)));
    const [at] = supportOf(body, checked, [variable], changed);
    if (at !== null) {
      // the summand at the one value that moves, restricted further where it can be
      const fixed = substitute(body, checked, new Map([[variable, at]]));
      const inner = restrict(fixed.expr, fixed.checked);
      return inner ? { ...inner, scale: inner.scale * perTerm } : { ...fixed, scale: perTerm };
    }
    // the index moves everywhere: keep the sum around a restricted summand
    const inner = restrict(body, checked);
    if (inner === null) return null;
    const call: Expr = { ...node, name: 'sum', args: [node.args[0], inner.expr] };
    const boundSizes = new Map(inner.checked.boundSizes);
    boundSizes.set(call, size);
    return { expr: call, checked: { ...inner.checked, boundSizes }, scale: inner.scale * perTerm };
  };
  return restrict(form.body, form.checked);
}

function mentions(node: Expr, name: string): boolean {
  switch (node.kind) {
    case 'symbol':
      return node.name === name;
    case 'index':
      return mentions(node.base, name) || node.indices.some((i) => mentions(i, name));
    case 'unary':
      return mentions(node.operand, name);
    case 'binary':
      return mentions(node.left, name) || mentions(node.right, name);
    case 'call':
      return node.args.some((a) => mentions(a, name));
    default:
      return false;
  }
}

/**
 * The size of the numbers a restricted loss is computed from: |its value| plus Σ|every element it
 * reads| (the tensors and the definitions a user wrote: a network's loss reads its output and its
 * targets; the helpers of the expansion, the softmax's shift and total, are steps of the same
 * formula). A confident row's −log o ≈ 1e-9 comes out of log(1 + 1e-9), rounded to ε, far coarser
 * than ε times its value: finite differences of it take this as the size of f (RiddersOptions.magnitude).
 */
function magnitudeOf(expr: Expr, checked: CheckedFormulas, base: Env64, watch: KinkWatch, hidden: ReadonlySet<string>): number {
  const evaluator = new FormulaEvaluator(checked, evaluation(watch, base));
  let total = Math.abs(evaluator.evaluate(expr, base).value.data[0]);
  const visit = (node: Expr): void => {
    if (node.kind === 'index' && node.base.kind === 'symbol') {
      if (hidden.has(node.base.name)) return;
      const read = evaluator.evaluate(node, base).value.data;
      for (let i = 0; i < read.length; i++) if (Number.isFinite(read[i])) total += Math.abs(read[i]);
      return;
    }
    if (node.kind === 'unary') visit(node.operand);
    if (node.kind === 'binary') [node.left, node.right].forEach(visit);
    if (node.kind === 'call') node.args.forEach(visit);
  };
  visit(expr);
  return total;
}
