import { float64Array, giveBack } from '../foundation/arrayPool';
import type { Floats } from '../foundation/tensor';
import { nodesOf, type Expr } from '../formula/ast';
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
// every step.
//
// It applies when every read of D's first axis, v, is the plain first index of a symbol
// (P[v, j], m[v, j]; not m[j, v], v as a number, a diagonal, a gathered or padded read), every
// read of such a symbol is one of those (not m[0, j] too), and D sums over nothing. The symbols
// read at v are then read on the block's rows alone, as views of their own arrays, and each
// element is computed from the same numbers by the same operations as by the whole definition:
// the same values, bit for bit. A sum is left out because its contraction plan depends on the
// sizes of its operands (src/formula/contractionPlan.ts), so a block of fewer rows may be summed
// in another order.

/**
 * D's rows [from, to) as a function of t, P's rows moved by t. What `at` returns is read before
 * the next call, which gives it back to the trial's pool; `release` gives back the rest.
 */
export interface RowBlock {
  at(t: number): Float64Array;
  release(): void;
}

/**
 * The symbols D reads on its first axis `v` (their rows are D's), or null where v, or one of those
 * symbols, is read any other way, or D sums over an index (see the file's head). A definition
 * cannot bind its own axis again (the checker refuses `sum(n, …)` in a[n, d]).
 */
function rowReadSymbols(body: Expr, checked: CheckedFormulas, v: string): Set<string> | null {
  const nodes = nodesOf(body);
  // whether an index form, or any form of a node, reads v (through an integer tensor's index too)
  const formReads = (form: IndexForm): boolean => form.terms.some((t) => t.name === v) || form.gathers.some((g) => nodeReads(g.node));
  const nodeReads = (node: Expr): boolean => (checked.indexForms.get(node) ?? []).some(formReads);
  const byRow = (node: Expr & { kind: 'index' }): boolean => plainVariable(checked.indexForms.get(node)![0]) === v;
  const rowRead = new Set<string>();
  for (const node of nodes) {
    if (node.kind === 'call' && checked.boundSizes.has(node)) return null; // sum, mean, maxover, …
    if (node.kind === 'symbol' && checked.indexValues.has(node) && node.name === v) return null;
    if (node.kind === 'call' && nodeReads(node)) return null; // delta(v, …)
    if (node.kind !== 'index' || !nodeReads(node)) continue;
    if (node.base.kind !== 'symbol' || !byRow(node) || checked.indexForms.get(node)!.slice(1).some(formReads)) return null;
    rowRead.add(node.base.name);
  }
  // every read of a symbol read by rows is by rows: m[0, d] or pad(m, …) next to m[n, d] reads another row
  const bases = new Set(nodes.flatMap((node) => (node.kind === 'index' ? [node.base] : [])));
  for (const node of nodes) {
    if (node.kind === 'index' && node.base.kind === 'symbol' && rowRead.has(node.base.name) && !byRow(node)) return null;
    if (node.kind === 'symbol' && rowRead.has(node.name) && !bases.has(node)) return null;
  }
  return rowRead;
}

/**
 * `moved[i] = q[i] + t`. A function of its own: inside a row block's `at`, V8 compiles this loop
 * alone (on-stack replacement) and the code after it leaves for the interpreter at every call.
 */
function shiftInto(moved: Float64Array, q: Floats, t: number): void {
  for (let i = 0; i < moved.length; i++) moved[i] = q[i] + t;
}

/** Rows [from, to) of a tensor, as a view (no copy). */
export function rowsOf(value: Value64, from: number, to: number): Value64 {
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
 * by t on those rows; null where the file's head says it does not apply, or a tensor read on D's
 * first axis has another number of rows.
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
    const run = () => expandTo(watch.algebra, new FormulaEvaluator(checked, evaluation(watch, scope)).evaluate(reader.body, scope), reader.vars, shape);
    let last: Value64 | null = null;
    // D may be P itself (its array, or a view of it): that is not given back
    const giveBackLast = () => {
      if (last !== null && last.data.buffer !== moved.buffer) giveBack(last.data, last.error);
      last = null;
    };
    return {
      at(t) {
        giveBackLast();
        // the moved pass's q + t·1, the same number
        shiftInto(moved, base.data, t);
        last = reader.smooth ? watch.unwatched(run) : run();
        return last.data instanceof Float64Array ? last.data : Float64Array.from(last.data);
      },
      release() {
        giveBackLast();
        giveBack(moved);
      },
    };
  };
}
