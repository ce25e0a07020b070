import { float64Array, giveBack } from '../foundation/arrayPool';
import { childrenOf, type Expr } from '../formula/ast';
import type { CheckedFormulas } from '../formula/check';
import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import { plainVariable, type IndexForm } from '../formula/indexForms';
import type { Definition } from '../scenario/compile';
import type { Value64 } from './algebra64';
import { evaluation, type Env64, type KinkWatch } from './definitions64';

// A block of rows of a definition D that reads a tensor P at its own element (an activation,
// a1[n,j] = tanh(net1[n,j])), computed with P's same rows moved by t: D's rows [from, to) at
// P + t·1 read on those rows only. A slope run (world64.ts) reads its outputs a block of rows at
// a time; D's other rows do not move with them, and the moved pass would compute them all for
// every step. Each element is computed from the same numbers in the same order as by the whole
// definition, so the values are the same, bit for bit.
//
// It applies when D's first axis, v, is read only as the first index of what D reads (P[v, j],
// m[v, j], not m[j, v], not v as a number, not inside a gathered or padded read): every tensor
// read at v is then read on the block's rows alone, as a view of its own array.

/**
 * D's rows [from, to) as a function of t, P's rows moved by t. What `at` returns is read before
 * the next call, which gives it back to the trial's pool; `release` gives back the rest.
 */
export interface RowBlock {
  at(t: number): Float64Array;
  release(): void;
}

/** Every node of a formula, depth first. */
function nodesOf(node: Expr, out: Expr[] = []): Expr[] {
  out.push(node);
  for (const child of childrenOf(node)) nodesOf(child, out);
  return out;
}

/**
 * The symbols D reads on its first axis `v` (their rows are D's), or null where v is read any other
 * way. A definition cannot bind its own axis again (the checker refuses `sum(n, …)` in a[n, d]),
 * so every read of v here is of D's axis.
 */
function rowReadSymbols(body: Expr, checked: CheckedFormulas, v: string): Set<string> | null {
  const rowRead = new Set<string>();
  // whether an index form, or any form of a node, reads v (through an integer tensor's index too)
  const formReads = (form: IndexForm): boolean => form.terms.some((t) => t.name === v) || form.gathers.some((g) => nodeReads(g.node));
  const nodeReads = (node: Expr): boolean => (checked.indexForms.get(node) ?? []).some(formReads);
  for (const node of nodesOf(body)) {
    if (node.kind === 'symbol' && checked.indexValues.has(node) && node.name === v) return null;
    if (node.kind === 'call' && nodeReads(node)) return null; // delta(v, …)
    if (node.kind !== 'index' || !nodeReads(node)) continue;
    const forms = checked.indexForms.get(node)!;
    if (node.base.kind !== 'symbol' || plainVariable(forms[0]) !== v || forms.slice(1).some(formReads)) return null;
    rowRead.add(node.base.name);
  }
  return rowRead;
}

/** Rows [from, to) of a tensor, as a view (no copy). */
function rowsOf(value: Value64, from: number, to: number): Value64 {
  const row = value.data.length / value.shape[0];
  const view = <A extends { subarray(a: number, b: number): A }>(a: A) => a.subarray(from * row, to * row);
  return {
    shape: [to - from, ...value.shape.slice(1)],
    data: view(value.data),
    ...(value.error ? { error: view(value.error) } : {}),
    ...(value.kink ? { kink: view(value.kink) } : {}),
  };
}

/**
 * D's rows as a function of the block and t, P (`symbol`, which D reads at its own element) moved
 * by t on those rows; null when D's first axis is read otherwise than as the first index of its
 * reads (see the file's head), or a tensor read on it has another number of rows.
 */
export function rowBlocksOf(reader: Definition, symbol: string, env: Env64, watch: KinkWatch): ((from: number, to: number) => RowBlock) | null {
  const [v] = reader.vars;
  if (v === undefined) return null;
  const rowRead = rowReadSymbols(reader.body, reader.checked, v);
  const p = env.get(symbol);
  if (rowRead === null || p === undefined || !rowRead.has(symbol)) return null;
  const rows = reader.shape[0];
  if ([...rowRead].some((name) => env.get(name)?.shape[0] !== rows)) return null;
  return (from, to) => {
    const checked: CheckedFormulas = { ...reader.checked, freeIndices: reader.checked.freeIndices.map((f) => (f.name === v ? { ...f, size: to - from } : f)) };
    const shape = [to - from, ...reader.shape.slice(1)];
    const scope: Env64 = new Map(env);
    for (const name of rowRead) scope.set(name, rowsOf(env.get(name)!, from, to));
    const base = scope.get(symbol)!;
    // P's rows moved by t, written into one array for every t: what D computes from it is new each time
    const moved = float64Array(base.data.length);
    scope.set(symbol, { shape: base.shape, data: moved });
    const run = () => expandTo(watch.algebra, new FormulaEvaluator(checked, evaluation(watch, scope)).evaluate(reader.body, scope), reader.vars, shape).data;
    let last: Float64Array | null = null;
    // D may be P itself (its array, or a view of it): that is not given back
    const giveBackLast = () => {
      if (last !== null && last.buffer !== moved.buffer) giveBack(last);
      last = null;
    };
    return {
      at(t) {
        giveBackLast();
        // the moved pass's q + t·1, the same number
        const q = base.data;
        for (let i = 0; i < moved.length; i++) moved[i] = q[i] + t;
        const data = reader.smooth ? watch.unwatched(run) : run();
        last = data instanceof Float64Array ? data : Float64Array.from(data);
        return last;
      },
      release() {
        giveBackLast();
        giveBack(moved);
      },
    };
  };
}
