import { unravel } from '../foundation/indices';
import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import { atUnit, linearPart, type LinearPart } from '../formula/linearPart';
import type { CheckedComputation, Definition } from '../scenario/compile';
import type { Value64 } from './algebra64';
import { evaluateDefinition, evaluation, mainForm, type Env64, type Form, type KinkWatch } from './definitions64';

// The computation with one symbol moved along a direction, t ↦ env(Q + t·v), for derivatives by
// finite differences. Only the definitions downstream of Q are computed again, and only when
// something reads them. A definition that reads nothing else that moves and is linear in Q moves
// along a line, D(t) = D + t·D_lin(v) (src/formula/linearPart.ts): D_lin(v) is computed once, so
// each step costs an addition there instead of D's formula (a dense layer's product, a
// normalisation's mean). The function of t is the same; only where rounding happens differs
// (≈1e-16 relative), far below any tolerance.

/** A dense direction over all of Q's elements, or one element (the unit tensor e_index). */
export type Direction64 = { kind: 'dense'; data: Float64Array } | { kind: 'element'; index: number };

/** t ↦ the environment with Q moved by t along the direction; the environments share tensors with the base: read them, never write. */
export type MovedPass = (t: number) => Env64;

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

/** `base + t·tangent`, a new float64 array. */
function along(base: Value64, tangent: Float64Array, t: number): Value64 {
  const data = new Float64Array(base.data.length);
  for (let i = 0; i < data.length; i++) data[i] = base.data[i] + t * tangent[i];
  return { shape: base.shape, data };
}

export function movedPass(computation: CheckedComputation, base: Env64, watch: KinkWatch, symbol: string, direction: Direction64): MovedPass {
  const name = computation.aliases.get(symbol) ?? symbol;
  const q = base.get(name);
  if (q === undefined) throw new Error(`no symbol ${symbol} in this computation`);
  const names = [name, ...[...computation.aliases].filter(([, target]) => target === name).map(([alias]) => alias)];
  // Q's direction as a tensor of Q's shape (dense), or Q's element
  const unit = direction.kind === 'element' ? unravel(direction.index, q.shape) : null;
  const tangentOfQ = direction.kind === 'dense' ? direction.data : null;

  // the definitions that move, each with the form it is computed by while Q moves
  const moving = new Map<Definition, Form>();
  const moved = new Set(names);
  for (const d of computation.definitions) {
    if (d.name === name) continue;
    const form = d.through && d.through.moved.has(name) ? d.through : mainForm(d);
    if ([...form.reads].some((r) => moved.has(r))) {
      moving.set(d, form);
      moved.add(d.name);
    }
  }

  // lines: definitions that read nothing else that moves and are linear in Q
  const lines = new Map<Definition, Float64Array>();
  for (const [d, form] of moving) {
    if (![...form.reads].every((r) => r === name || !moved.has(r))) continue;
    const part = linearPart(form.body, name, form.checked);
    if (part === null) continue;
    lines.set(d, tangentOf(d, unit ? atUnit(part, name, unit) : part));
  }

  function tangentOf(d: Definition, part: LinearPart): Float64Array {
    const env: Env64 = new Map(base);
    if (tangentOfQ) env.set(name, { shape: q!.shape, data: tangentOfQ });
    const value = expandTo(watch.algebra, new FormulaEvaluator(part.checked, evaluation(watch, env)).evaluate(part.expr, env), d.vars, d.shape);
    return value.data instanceof Float64Array ? value.data : Float64Array.from(value.data);
  }

  return (t) => {
    const pending = new Map<string, () => Value64>();
    const movedQ = (): Value64 => {
      const data = Float64Array.from(q.data);
      if (tangentOfQ) for (let i = 0; i < data.length; i++) data[i] += t * tangentOfQ[i];
      else data[(direction as { index: number }).index] += t;
      return { shape: q.shape, data };
    };
    let value: Value64 | null = null;
    for (const n of names) pending.set(n, () => (value ??= movedQ()));
    const env = new MovedEnv(base, pending);
    for (const [d, form] of moving) {
      const line = lines.get(d);
      pending.set(d.name, line ? () => along(base.get(d.name)!, line, t) : () => evaluateDefinition(d, form, env, watch));
    }
    return env;
  };
}
