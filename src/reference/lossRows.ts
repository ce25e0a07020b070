import { boundIndex, type Expr } from '../formula/ast';
import { bindsInside } from '../formula/bindsInside';
import type { CheckedFormulas } from '../formula/check';
import { plainVariable } from '../formula/indexForms';
import type { CheckedComputation } from '../scenario/compile';
import { formWhileMoving, namesOf, type Form } from './definitions64';
import { sizeOf } from '../foundation/tensor';

// A loss that is a sum over rows which a symbol feeds row by row: E = scale · Σ_n f_n, and every
// definition on the way from S to E reads what moves only at its own row n (a network's net2,
// its softmax, its o: a softmax reads a row, never another). Moving one column of S, the element
// c of every row at once, moves each f_n by its own row's element only, so the derivatives of the
// row terms f_n along that move are ∂E/∂S[n, c] / scale for every n at once: one
// finite-difference run per column instead of one per element (the columns are the colours of
// Curtis, Powell and Reid's sparse Jacobian estimation). Decided from the formulas alone: every
// read of a moving tensor must put a plain variable at its row axis (no expression, gather or
// bare read), the same one throughout a definition, and that variable one of its axes; the loss
// a constant times a sum or mean over that variable, nothing added, the variable not bound again
// inside the summand.

export interface LossRows {
  /** the axis of S whose index is the loss's row */
  axis: number;
  /** f_n, with the row index `variable` free */
  term: Expr;
  checked: CheckedFormulas;
  variable: string;
  rows: number;
  /** E = scale · Σ_n f_n + terms that S does not move */
  scale: number;
  /** the row axis of S (by each of its names) and of every definition S moves on the way to E */
  rowAxes: ReadonlyMap<string, number>;
}

/** Every read of `symbol` in `node`: index nodes on it, and bare reads. */
export function readsOf(node: Expr, symbol: string, out: Expr[] = []): Expr[] {
  if (node.kind === 'symbol' && node.name === symbol) out.push(node);
  else if (node.kind === 'index' && node.base.kind === 'symbol' && node.base.name === symbol) out.push(node);
  else if (node.kind === 'index') [node.base, ...node.indices].forEach((n) => readsOf(n, symbol, out));
  else if (node.kind === 'unary') readsOf(node.operand, symbol, out);
  else if (node.kind === 'binary') [node.left, node.right].forEach((n) => readsOf(n, symbol, out));
  else if (node.kind === 'call') node.args.forEach((n) => readsOf(n, symbol, out));
  return out;
}

/** The one plain variable every read of the moving tensors in `body` puts at their row axes, or null. */
function rowVariable(body: Expr, checked: CheckedFormulas, moving: readonly string[], rowAxis: ReadonlyMap<string, number>): string | null {
  let variable: string | null = null;
  for (const r of moving) {
    for (const read of readsOf(body, r)) {
      const forms = read.kind === 'index' ? checked.indexForms.get(read) : undefined;
      const form = forms?.[rowAxis.get(r)!];
      const v = form ? plainVariable(form) : null;
      if (v === null || (variable !== null && v !== variable)) return null;
      variable = v;
    }
  }
  return variable;
}

/** E's form peeled down to its sum over rows: −mean(n, …), sum(n, …) / 2, 0.5 * sum(n, …). */
function rowsOfLoss(form: Form, moving: readonly string[], rowAxis: ReadonlyMap<string, number>): Omit<LossRows, 'axis' | 'rowAxes'> | null {
  const peel = (node: Expr, scale: number): Omit<LossRows, 'axis' | 'rowAxes'> | null => {
    if (node.kind === 'unary' && node.op === '-') return peel(node.operand, -scale);
    if (node.kind === 'binary' && (node.op === '*' || node.op === '/') && node.right.kind === 'number') return peel(node.left, node.op === '*' ? scale * node.right.value : scale / node.right.value);
    if (node.kind === 'binary' && node.op === '*' && node.left.kind === 'number') return peel(node.right, scale * node.left.value);
    if (node.kind !== 'call' || (node.name !== 'sum' && node.name !== 'mean')) return null;
    const variable = boundIndex(node).name;
    const term = node.args[1];
    const rows = form.checked.boundSizes.get(node);
    // every read at the summand's own row: the row index not bound again inside it
    if (rows === undefined || bindsInside(term, variable) || rowVariable(term, form.checked, moving, rowAxis) !== variable) return null;
    // the row index is free in f_n, with the sum's range
    const checked: CheckedFormulas = { ...form.checked, freeIndices: [...form.checked.freeIndices, { name: variable, size: rows }] };
    return { term, checked, variable, rows, scale: node.name === 'mean' ? scale / rows : scale };
  };
  return peel(form.body, 1);
}

const known = new WeakMap<CheckedComputation, Map<string, LossRows | null>>();

/** E as a sum over rows that `symbol` feeds row by row along one of its axes, or null (kept per computation). */
export function lossRowsOf(computation: CheckedComputation, symbol: string, shape: readonly number[]): LossRows | null {
  let bySymbol = known.get(computation);
  if (!bySymbol) known.set(computation, (bySymbol = new Map()));
  if (!bySymbol.has(symbol)) bySymbol.set(symbol, lossRows(computation, symbol, shape));
  return bySymbol.get(symbol)!;
}

/**
 * Finite-difference runs ∂E/∂symbol takes by itself: one per column when E's rows allow
 * (colouredGradient64.ts), else one per element.
 */
export function ownRuns(computation: CheckedComputation, symbol: string, shape: readonly number[]): number {
  const rows = lossRowsOf(computation, symbol, shape);
  return sizeOf(shape) / (rows ? rows.rows : 1);
}

function lossRows(computation: CheckedComputation, symbol: string, shape: readonly number[]): LossRows | null {
  const names = namesOf(computation, symbol);
  const [name] = names;
  for (let axis = 0; axis < shape.length; axis++) {
    const rowAxis = new Map<string, number>(names.map((n) => [n, axis]));
    let found: Omit<LossRows, 'axis' | 'rowAxes'> | null = null;
    let diagonal = true;
    for (const d of computation.definitions) {
      if (d.name === name) continue;
      const form = formWhileMoving(d, name);
      const reads = [...form.reads].filter((r) => rowAxis.has(r));
      if (reads.length === 0) continue;
      if (d.name === 'E') {
        found = rowsOfLoss(form, reads, rowAxis);
        break;
      }
      const variable = rowVariable(form.body, form.checked, reads, rowAxis);
      const at = variable === null ? -1 : d.vars.indexOf(variable);
      if (at < 0) {
        diagonal = false;
        break;
      }
      rowAxis.set(d.name, at);
    }
    if (diagonal && found && found.rows === shape[axis]) return { ...found, axis, rowAxes: rowAxis };
  }
  return null;
}
