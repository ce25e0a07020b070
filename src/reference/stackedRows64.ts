import { nodesOf, type Expr } from '../formula/ast';
import type { CheckedFormulas } from '../formula/check';
import type { CheckedComputation, Definition } from '../scenario/compile';
import type { Value64 } from './algebra64';
import { formWhileMoving, namesOf, type Env64 } from './definitions64';
import { blockChecked, blockReadsOf } from './indexBlock64';
import type { LossRows } from './lossRows';

// E's rows, several copies of them side by side: the computation from a symbol S to E's row terms
// f_n (src/reference/lossRows.ts) over `copies`·rows rows, every tensor it reads at the row index
// repeated `copies` times along that axis (copy c's row n at c·rows + n). Moving S's column c in
// copy c, for every c at once, moves copy c's row terms as moving column c alone moves f_n: one
// finite-difference run for `copies` columns of S (colouredGradient64.ts), each row computed from
// the same numbers as in a run of its own, where a run costs the evaluator's work per call more
// than its arithmetic (E's rows of a 10-class softmax are 640 numbers).
//
// It applies when every definition on the way from S to E and the row term read the row index
// as indexBlock64.ts's blocks do (a plain index of a symbol, at one axis per symbol, never as a
// number, bound again or inside grad or next), no tensor is read at the row index on two
// axes, and a tensor read at the row index is read so wherever these formulas read it (not
// summed over its rows, as mean(m, P[m, j]) would over every copy, nor read at a fixed row);
// else null. Nothing else is computed again in the stacked pass.

/** The computation and environment over the copies, and E's row term over them. */
export interface StackedRows {
  computation: CheckedComputation;
  env: Env64;
  /** S's shape over the copies */
  shape: number[];
  term: LossRows['term'];
  checked: CheckedFormulas;
  rows: number;
}

/** `value` repeated `copies` times along `axis` (copy c at c·extent + i). */
function repeated(value: Value64, axis: number, copies: number): Value64 {
  const shape = [...value.shape];
  shape[axis] *= copies;
  const inner = value.shape.slice(axis).reduce((a, b) => a * b, 1);
  const outer = value.data.length / inner;
  const tile = (a: Float64Array | Float32Array): Float64Array => {
    const out = new Float64Array(a.length * copies);
    for (let o = 0; o < outer; o++) for (let c = 0; c < copies; c++) out.set(a.subarray(o * inner, (o + 1) * inner), (o * copies + c) * inner);
    return out;
  };
  return { shape, data: tile(value.data), ...(value.error ? { error: tile(value.error) } : {}) };
}

/** A definition with its row index (`v`, at `axis`) over `rows` rows: its forms checked for that size. */
function definitionOver(d: Definition, v: string, axis: number, rows: number): Definition {
  const shape = [...d.shape];
  shape[axis] = rows;
  return { ...d, shape, checked: blockChecked(d.checked, v, rows), ...(d.through ? { through: { ...d.through, checked: blockChecked(d.through.checked, v, rows) } } : {}) };
}

/** E's rows for `symbol`, `copies` times over (see the file's head), or null. */
export function stackedRows(computation: CheckedComputation, env: Env64, symbol: string, rows: LossRows, copies: number): StackedRows | null {
  const name = computation.aliases.get(symbol) ?? symbol;
  // every tensor read at the row index, and its axis
  const axes = new Map<string, number>(namesOf(computation, symbol).map((n) => [n, rows.axis]));
  /** Adds what a formula reads at the row index to `axes`; false where it cannot be read so or a tensor's axis disagrees. */
  const agree = (reads: ReadonlyMap<string, number> | null): boolean => {
    if (reads === null) return false;
    for (const [t, a] of reads) {
      if ((axes.get(t) ?? a) !== a) return false;
      axes.set(t, a);
    }
    return true;
  };
  const definitions = new Map<Definition, Definition>();
  // each formula the stacked pass evaluates, and what it reads at its row index
  const formulas: { body: Expr; reads: ReadonlyMap<string, number> }[] = [];
  const read = (body: Expr, checked: CheckedFormulas, v: string): boolean => {
    const reads = blockReadsOf([body], checked, v);
    formulas.push({ body, reads: reads ?? new Map() });
    return agree(reads);
  };
  for (const d of computation.definitions) {
    const axis = rows.rowAxes.get(d.name);
    if (d.name === name || d.name === 'E' || axis === undefined) continue;
    const v = d.vars[axis];
    const form = formWhileMoving(d, name);
    if (!read(form.body, form.checked, v) || !agree(new Map([[d.name, axis]]))) return null;
    definitions.set(d, definitionOver(d, v, axis, copies * rows.rows));
  }
  if (!read(rows.term, rows.checked, rows.variable)) return null;
  // a tensor repeated is read at the row index wherever it is read: not summed over its rows
  // elsewhere (mean(m, P[m, j]) would take in every copy) nor read at a fixed row
  for (const { body, reads } of formulas) {
    for (const node of nodesOf(body)) {
      const symbol = node.kind === 'index' && node.base.kind === 'symbol' ? node.base.name : node.kind === 'symbol' ? node.name : null;
      if (symbol !== null && axes.has(symbol) && reads.get(symbol) !== axes.get(symbol)) return null;
    }
  }
  const stacked: Env64 = new Map(env);
  for (const [t, axis] of axes) {
    const value = env.get(t);
    if (value === undefined || value.kink || value.shape[axis] !== rows.rows) return null;
    stacked.set(t, repeated(value, axis, copies));
  }
  // E is left out: the run reads its row term, not E
  const over = computation.definitions.filter((d) => d.name !== 'E').map((d) => definitions.get(d) ?? d);
  return {
    computation: { ...computation, definitions: over },
    env: stacked,
    shape: stacked.get(name)!.shape,
    term: rows.term,
    checked: blockChecked(rows.checked, rows.variable, copies * rows.rows),
    rows: copies * rows.rows,
  };
}
