import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import type { CheckedComputation } from '../scenario/compile';
import type { Value64 } from './algebra64';
import { evaluation, type Env64, type KinkWatch } from './definitions64';
import { MANY_OUTPUT_ROWS } from './finiteDifferences';
import { SUSPICIOUS } from './kinks';
import type { Derivative64 } from './world64';
import type { LossRows } from './lossRows';
import { movedPass } from './movedPass64';
import { stackedRows, type StackedRows } from './stackedRows64';

// ∂E/∂S for every element of S, one finite-difference run per column of S (src/reference/lossRows.ts
// says when E's rows let that be): the column's elements move together, each row term f_n moves
// by its own element only, and d f_n / dt is ∂E/∂S[n, c] / scale. A column along which some
// kinked function changes sides is given up (null): the caller differentiates element by
// element, where each element's own kink is found. The column's elements share one ladder of
// steps, set by the largest of them, so an element much smaller than that loses the step
// proportional to itself (stepLadder): next to a pole at 0 (1/x, log x) the shared steps jump
// over it. Such an element's estimate comes out non-finite or far from the few 1e-11 of a smooth
// one; every element whose estimate is above SUSPICIOUS of its value is differentiated again by
// itself (`element`), with every row of Ridders' tableau; a column takes MANY_OUTPUT_ROWS.
// Columns run together where E's rows can be stacked (stackedRows64.ts): copy c of the rows moves
// column c, and one run gives every copy's derivatives, its ladder of steps set by the largest
// element of all those columns: a softmax's rows of a 784-512-10 network (640 numbers) cost the
// evaluator more per call than their arithmetic, and 10 runs took twice as long as one stacked.

/**
 * Flat positions of column `c` of a tensor of `shape` (the elements whose other axes than `axis`
 * are c's) at rows [first, first + into.length) of that axis.
 */
function columnPositions(shape: readonly number[], axis: number, c: number, into: Int32Array, first = 0): Int32Array {
  const inner = shape.slice(axis + 1).reduce((n, s) => n * s, 1);
  const outer = Math.floor(c / inner);
  const within = c % inner;
  for (let r = 0; r < into.length; r++) into[r] = (outer * shape[axis] + first + r) * inner + within;
  return into;
}

/** Σ|f_n| plus Σ|every element f_n reads| (not the hidden helpers), largest over the rows: the size rounding is relative to. */
function rowMagnitude(rows: LossRows, env: Env64, watch: KinkWatch, hidden: ReadonlySet<string>): number {
  const evaluator = new FormulaEvaluator(rows.checked, evaluation(watch, env));
  const total = new Float64Array(rows.rows);
  const add = (node: Parameters<typeof evaluator.evaluate>[0]) => {
    const { value, vars } = evaluator.evaluate(node, env);
    const at = vars.indexOf(rows.variable);
    // a read without the row index counts in every row
    const stride = vars.slice(at + 1).reduce((n, _, a) => n * value.shape[at + 1 + a], 1);
    let everywhere = 0;
    for (let i = 0; i < value.data.length; i++) {
      const v = Math.abs(value.data[i]);
      if (!Number.isFinite(v)) continue;
      if (at < 0) everywhere += v;
      else total[Math.floor(i / stride) % rows.rows] += v;
    }
    for (let r = 0; r < total.length; r++) total[r] += everywhere;
  };
  add(rows.term);
  const visit = (node: typeof rows.term): void => {
    if (node.kind === 'index' && node.base.kind === 'symbol') {
      if (!hidden.has(node.base.name)) add(node);
      return;
    }
    if (node.kind === 'unary') visit(node.operand);
    if (node.kind === 'binary') [node.left, node.right].forEach(visit);
    if (node.kind === 'call') node.args.forEach(visit);
  };
  visit(rows.term);
  return Math.max(0, ...total);
}

/**
 * Numbers of a tensor repeated for a stacked run (stackedRows64.ts) at most: columns run
 * together as long as S repeated for them stays within this (128 KB), which E's rows of a
 * network's softmax (640 numbers at batch 64 and 10 classes) do for all their columns.
 */
const STACKED_NUMBERS = 1 << 14;

/** Whether a derivative estimate is one a smooth function gives: finite, its estimate a small fraction of it. */
export const trusted = (value: number, error: number): boolean => Number.isFinite(value) && error <= SUSPICIOUS * Math.abs(value);

/**
 * ∂E/∂symbol by columns, the elements whose estimate is not trusted again by `element` (∂E/∂S at
 * one flat element); null when a column crosses a kink or such an element sits at one.
 */
export function colouredLossGradient(computation: CheckedComputation, env: Env64, watch: KinkWatch, symbol: string, rows: LossRows, element: (index: number) => Derivative64): Value64 | null {
  const q = env.get(computation.aliases.get(symbol) ?? symbol)!;
  const n = q.data.length;
  const columns = n / rows.rows;
  const data = new Float64Array(n);
  const error = new Float64Array(n);
  const hidden = new Set(computation.definitions.filter((d) => d.hidden).map((d) => d.name));
  const magnitude = Math.abs(rows.scale) * rowMagnitude(rows, env, watch, hidden);
  const alone: StackedRows = { computation, env, shape: q.shape, term: rows.term, checked: rows.checked, rows: rows.rows };
  const positions = new Int32Array(rows.rows);
  /** Columns [c0, c0 + copies) in one run over `run`'s rows (copy k moves column c0 + k); false where one crosses a kink. */
  const runColumns = (run: StackedRows, c0: number, copies: number): boolean => {
    const direction = new Float64Array(run.shape.reduce((a, b) => a * b, 1));
    let start = 0;
    for (let k = 0; k < copies; k++) {
      for (const p of columnPositions(q.shape, rows.axis, c0 + k, positions)) start = Math.max(start, Math.abs(q.data[p]));
      for (const p of columnPositions(run.shape, rows.axis, c0 + k, positions, k * rows.rows)) direction[p] = 1;
    }
    const rowTerms = (moved: Env64): Float64Array => {
      const out = expandTo(watch.algebra, new FormulaEvaluator(run.checked, evaluation(watch, moved)).evaluate(run.term, moved), [rows.variable], [run.rows]).data;
      const scaled = new Float64Array(out.length);
      for (let r = 0; r < out.length; r++) scaled[r] = rows.scale * out[r];
      return scaled;
    };
    const pass = movedPass(run.computation, run.env, watch, symbol, { kind: 'dense', data: direction }, true);
    const d = watch.derivative((t: number) => rowTerms(pass(t)), start, { magnitude, rows: MANY_OUTPUT_ROWS });
    pass.release();
    if (d.kink && d.kink.some((k) => k !== 0)) return false;
    for (let k = 0; k < copies; k++) {
      columnPositions(q.shape, rows.axis, c0 + k, positions);
      for (let r = 0; r < rows.rows; r++) {
        let [value, estimate] = [d.value[k * rows.rows + r], d.error[k * rows.rows + r]];
        if (!trusted(value, estimate)) {
          const own = element(positions[r]);
          if (own.kink) return false;
          [value, estimate] = [own.value, own.error];
        }
        data[positions[r]] = value;
        error[positions[r]] = estimate;
      }
    }
    return true;
  };
  // as many columns in one run as STACKED_NUMBERS allows, where E's rows can be stacked; else one a
  // run. The stacking depends on the number of copies only: the groups of one size share it
  const group = Math.max(1, Math.min(columns, Math.floor(STACKED_NUMBERS / n)));
  const stackings = new Map<number, StackedRows | null>();
  const stackedFor = (copies: number): StackedRows | null => {
    if (!stackings.has(copies)) stackings.set(copies, copies > 1 ? stackedRows(computation, env, symbol, rows, copies) : null);
    return stackings.get(copies)!;
  };
  for (let c0 = 0; c0 < columns; c0 += group) {
    const copies = Math.min(group, columns - c0);
    const stacked = stackedFor(copies);
    if (stacked !== null) {
      if (!runColumns(stacked, c0, copies)) return null;
      continue;
    }
    for (let c = c0; c < c0 + copies; c++) if (!runColumns(alone, c, 1)) return null;
  }
  return { shape: [...q.shape], data, error };
}
