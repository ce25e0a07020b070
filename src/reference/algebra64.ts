import type { Algebra } from '../formula/algebra';
import { elementwise as entryOf, type BinaryName } from '../formula/functions';
import { float64Array, giveBack } from '../foundation/arrayPool';
import { matMulInto } from './matMul64';
import { sizeOf, type Floats, type Tensor64 } from '../foundation/tensor';

// The formula algebra on float64 arrays. Each tensor may carry an absolute error bound (from the
// finite-difference estimates of grad); every operation carries it forward to first order, so
// the comparison can allow for the reference's own error.

export interface Value64 extends Tensor64 {
  /** absolute error bound per element; absent means exact */
  error?: Float64Array;
  /**
   * 1 where the element depends on a derivative taken at a kink (a non-differentiable point,
   * src/reference/kinks.ts); absent when none does. Any operation touching such an element marks
   * its output element.
   */
  kink?: Uint8Array;
  /** with `kink`: the value computed from every kinked derivative's forward, and backward, one-sided value */
  oneSided?: { forward: Floats; backward: Floats };
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * `data[i] = f(src[i])`, in loops, not Float64Array.prototype.map (much slower in V8). The common
 * ones are called directly, or through f at a call site of their own, where V8 inlines it (the
 * one call site that every other function shares is several times slower per element). The loops
 * are a function of their own: inside `unary`, V8 compiles the loop alone (on-stack replacement)
 * before the code after it has run, and that code leaves for the interpreter at every call.
 */
function applyUnary(op: string, f: (a: number, b: number) => number, src: Floats, data: Float64Array): void {
  if (op === 'exp') for (let i = 0; i < data.length; i++) data[i] = Math.exp(src[i]);
  else if (op === 'log') for (let i = 0; i < data.length; i++) data[i] = Math.log(src[i]);
  else if (op === 'tanh') for (let i = 0; i < data.length; i++) data[i] = Math.tanh(src[i]);
  else if (op === 'sigmoid') for (let i = 0; i < data.length; i++) data[i] = f(src[i], 0);
  else if (op === 'relu') for (let i = 0; i < data.length; i++) data[i] = f(src[i], 0);
  else if (op === 'step') for (let i = 0; i < data.length; i++) data[i] = f(src[i], 0);
  else if (op === 'neg') for (let i = 0; i < data.length; i++) data[i] = -src[i];
  else for (let i = 0; i < data.length; i++) data[i] = f(src[i], 0);
}

/** The error bound of a unary function's values: its slope times the argument's bound. */
function unaryError(slope: (a: number, b: number, which: 0 | 1) => number, values: Floats, error: Float64Array): Float64Array {
  const out = float64Array(error.length);
  for (let i = 0; i < out.length; i++) out[i] = error[i] === 0 ? 0 : slope(values[i], 0, 0) * error[i];
  return out;
}

/** Gathers `source` into a new layout: out[i] = source[offsetOf(i)], where offsetOf walks `shape` with `srcStrides`. */
function gather(source: Floats, shape: number[], srcStrides: number[], base = 0): Float64Array {
  const n = sizeOf(shape);
  const out = float64Array(n);
  const rank = shape.length;
  if (rank === 0) {
    if (n > 0) out[0] = source[base];
    return out;
  }
  // a row of the last axis at a time, in a loop of its own; the axes before it step once per row
  const index = new Array<number>(rank).fill(0);
  const width = shape[rank - 1];
  const step = srcStrides[rank - 1];
  let offset = base;
  for (let i = 0; i < n; i += width) {
    for (let k = 0, from = offset; k < width; k++, from += step) out[i + k] = source[from];
    for (let axis = rank - 2; axis >= 0; axis--) {
      index[axis]++;
      offset += srcStrides[axis];
      if (index[axis] < shape[axis]) break;
      offset -= srcStrides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return out;
}

function relayout(t: Value64, shape: number[], srcStrides: number[], base = 0): Value64 {
  const out: Value64 = { shape, data: gather(t.data, shape, srcStrides, base) };
  if (t.error) out.error = gather(t.error, shape, srcStrides, base);
  return out;
}

/** `values` (t's data or error) read as `shape`: itself when laid out so or a single number, else gathered. */
function operand(values: Floats, t: Value64, shape: number[]): Floats {
  if (values.length === 1) return values;
  if (t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i])) return values;
  return gather(values, shape, broadcastStrides(t, shape));
}

/** out[i] = a[i] op b[i], where an operand of length 1 stands for every i. */
function elementwise(op: BinaryName, a: Floats, b: Floats, out: Float64Array): void {
  const n = out.length;
  const sa = a.length === 1 && n !== 1;
  const sb = b.length === 1 && n !== 1;
  if (!sa && !sb && (op === '+' || op === '-' || op === '*' || op === '/')) {
    if (op === '+') for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
    else if (op === '-') for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
    else if (op === '*') for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
    else for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
    return;
  }
  // a number with an array: the same operations in loops of their own (through f, every element's
  // operands and result would be boxed: 48 bytes of garbage each)
  if (!sa && sb && (op === '+' || op === '-' || op === '*' || op === '/' || op === '^')) {
    const c = b[0];
    if (op === '+') for (let i = 0; i < n; i++) out[i] = a[i] + c;
    else if (op === '-') for (let i = 0; i < n; i++) out[i] = a[i] - c;
    else if (op === '*') for (let i = 0; i < n; i++) out[i] = a[i] * c;
    else if (op === '/') for (let i = 0; i < n; i++) out[i] = a[i] / c;
    else for (let i = 0; i < n; i++) out[i] = a[i] ** c;
    return;
  }
  if (sa && !sb && (op === '+' || op === '-' || op === '*' || op === '/' || op === '^')) {
    const c = a[0];
    if (op === '+') for (let i = 0; i < n; i++) out[i] = c + b[i];
    else if (op === '-') for (let i = 0; i < n; i++) out[i] = c - b[i];
    else if (op === '*') for (let i = 0; i < n; i++) out[i] = c * b[i];
    else if (op === '/') for (let i = 0; i < n; i++) out[i] = c / b[i];
    else for (let i = 0; i < n; i++) out[i] = c ** b[i];
    return;
  }
  const f = entryOf(op).value;
  for (let i = 0; i < n; i++) out[i] = f(sa ? a[0] : a[i], sb ? b[0] : b[i]);
}

/**
 * out = a op b over `shape`, each operand read through its strides (0 along an axis it
 * broadcasts): no operand is copied to the result's size.
 */
function broadcastInto(op: BinaryName, a: Floats, sa: number[], b: Floats, sb: number[], shape: number[], out: Float64Array): void {
  const rank = shape.length;
  const f = entryOf(op).value;
  if (rank === 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  const inner = shape[rank - 1];
  const ia = sa[rank - 1];
  const ib = sb[rank - 1];
  const rows = out.length / inner;
  const index = new Array<number>(rank).fill(0);
  let oa = 0;
  let ob = 0;
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    if (op === '*') for (let k = 0; k < inner; k++) out[o + k] = a[oa + k * ia] * b[ob + k * ib];
    else if (op === '+') for (let k = 0; k < inner; k++) out[o + k] = a[oa + k * ia] + b[ob + k * ib];
    else if (op === '-') for (let k = 0; k < inner; k++) out[o + k] = a[oa + k * ia] - b[ob + k * ib];
    else if (op === '/') for (let k = 0; k < inner; k++) out[o + k] = a[oa + k * ia] / b[ob + k * ib];
    else for (let k = 0; k < inner; k++) out[o + k] = f(a[oa + k * ia], b[ob + k * ib]);
    for (let axis = rank - 2; axis >= 0; axis--) {
      index[axis]++;
      oa += sa[axis];
      ob += sb[axis];
      if (index[axis] < shape[axis]) break;
      oa -= sa[axis] * shape[axis];
      ob -= sb[axis] * shape[axis];
      index[axis] = 0;
    }
  }
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`algebra64: rank ${a.length} against rank ${b.length}`);
  return a.map((s, i) => {
    if (s !== b[i] && s !== 1 && b[i] !== 1) throw new Error(`algebra64: cannot broadcast [${a}] with [${b}]`);
    return Math.max(s, b[i]);
  });
}

/** Strides that read `t` as if it had `shape` (size-1 axes repeat). */
function broadcastStrides(t: Value64, shape: number[]): number[] {
  const s = strides(t.shape);
  return shape.map((_, i) => (t.shape[i] === 1 ? 0 : s[i]));
}

const smoothAlgebra64: Algebra<Value64> = {
  scalar: (value) => ({ shape: [], data: Float64Array.of(value) }),
  shape: (t) => [...t.shape],
  fill: (shape, value) => ({ shape: [...shape], data: float64Array(sizeOf(shape)).fill(value) }),
  iota: (n) => ({ shape: [n], data: Float64Array.from({ length: n }, (_, i) => i) }),
  eye(n, m) {
    const data = float64Array(n * m);
    for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
    return { shape: [n, m], data };
  },
  select(t, axis, index) {
    const s = strides(t.shape);
    const shape = t.shape.filter((_, i) => i !== axis);
    return relayout(t, shape, s.filter((_, i) => i !== axis), index * s[axis]);
  },
  diagonal(t, a, b) {
    const s = strides(t.shape);
    const shape = t.shape.filter((_, i) => i !== b);
    const st = s.filter((_, i) => i !== b);
    st[a] = s[a] + s[b];
    return relayout(t, shape, st);
  },
  transpose(t, perm) {
    if (perm.every((p, i) => p === i)) return t;
    const s = strides(t.shape);
    return relayout(t, perm.map((p) => t.shape[p]), perm.map((p) => s[p]));
  },
  reshape(t, shape) {
    if (shape.length === t.shape.length && shape.every((s, i) => s === t.shape[i])) return t;
    if (sizeOf(shape) !== t.data.length) throw new Error(`algebra64: reshape [${t.shape}] to [${shape}]`);
    const out: Value64 = { shape: [...shape], data: t.data };
    if (t.error) out.error = t.error;
    return out;
  },
  binary(op, a, b, reuseA) {
    const shape = broadcastShape(a.shape, b.shape);
    const n = sizeOf(shape);
    const asIs = (t: Value64) => t.data.length === 1 || t.shape.every((s, i) => s === shape[i]);
    if (!a.error && !b.error && !(asIs(a) && asIs(b))) {
      // broadcasting exact operands: read in place through strides
      const data = float64Array(n);
      broadcastInto(op, a.data, broadcastStrides(a, shape), b.data, broadcastStrides(b, shape), shape, data);
      return { shape, data };
    }
    // operands already laid out as the result, or single numbers, are read in place (the same
    // numbers as gathering them, without the copy)
    const av = operand(a.data, a, shape);
    const bv = operand(b.data, b, shape);
    // a temporary laid out as the result takes it in place (each element is read before it is
    // written), its error bound too; errors first, while the operands are still as given
    const inPlace = reuseA === true && av === a.data && av instanceof Float64Array && av.length === n && bv !== av;
    const slope = entryOf(op).slope;
    let error: Float64Array | undefined;
    if ((a.error || b.error) && slope) {
      const ea = a.error ? operand(a.error, a, shape) : new Float64Array(1);
      const eb = b.error ? operand(b.error, b, shape) : new Float64Array(1);
      error = inPlace && ea === a.error && ea.length === n ? ea : float64Array(n);
      const at = (v: Floats, i: number) => (v.length === 1 ? v[0] : v[i]);
      for (let i = 0; i < n; i++) {
        const x = at(av, i);
        const y = at(bv, i);
        // an exact operand adds nothing, even where its slope is not finite (log|0| of an exponent)
        const ex = at(ea, i);
        const ey = at(eb, i);
        error[i] = (ex === 0 ? 0 : slope(x, y, 0) * ex) + (ey === 0 ? 0 : slope(x, y, 1) * ey);
      }
    }
    const data = inPlace && av instanceof Float64Array ? av : float64Array(n);
    elementwise(op, av, bv, data);
    const out: Value64 = { shape, data };
    if (error) out.error = error;
    return out;
  },
  unary(op, t) {
    const { value: f, slope } = entryOf(op);
    const data = float64Array(t.data.length);
    applyUnary(op, f, t.data, data);
    const out: Value64 = { shape: [...t.shape], data };
    if (t.error && slope) out.error = unaryError(slope, t.data, t.error);
    return out;
  },
  sum(t, axis) {
    const shape = t.shape.filter((_, i) => i !== axis);
    const outer = sizeOf(t.shape.slice(0, axis));
    const n = t.shape[axis];
    const inner = sizeOf(t.shape.slice(axis + 1));
    const reduce = (src: Floats): Float64Array => {
      const out = float64Array(outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let k = 0; k < n; k++) {
          const from = (o * n + k) * inner;
          const to = o * inner;
          for (let i = 0; i < inner; i++) out[to + i] += src[from + i];
        }
      }
      return out;
    };
    const out: Value64 = { shape, data: reduce(t.data) };
    if (t.error) out.error = reduce(t.error);
    return out;
  },
  extreme(t, axis, which) {
    const shape = t.shape.filter((_, i) => i !== axis);
    const outer = sizeOf(t.shape.slice(0, axis));
    const n = t.shape[axis];
    const inner = sizeOf(t.shape.slice(axis + 1));
    const data = float64Array(outer * inner);
    // the error of the element that wins (the first of equal ones)
    const error = t.error ? float64Array(outer * inner) : null;
    // max as the larger of v and best with the sign flipped for min: no closure, no pair per element
    const sign = which === 'max' ? 1 : -1;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let at = o * n * inner + i;
        let best = t.data[at];
        let winner = at;
        for (let k = 1; k < n && !Number.isNaN(best); k++) {
          at += inner;
          const v = t.data[at];
          if (sign * v > sign * best || Number.isNaN(v)) {
            best = v;
            winner = at;
          }
        }
        data[o * inner + i] = best;
        if (error) error[o * inner + i] = t.error![winner];
      }
    }
    return error ? { shape, data, error } : { shape, data };
  },
  take(t, offsets, shape) {
    const read = (src: Floats): Float64Array => {
      const out = float64Array(offsets.length);
      for (let k = 0; k < offsets.length; k++) out[k] = offsets[k] < 0 ? 0 : src[offsets[k]];
      return out;
    };
    const out: Value64 = { shape: [...shape], data: read(t.data) };
    if (t.error) out.error = read(t.error);
    return out;
  },
  constant: (shape, data) => ({ shape: [...shape], data }),
  matMul(a, b) {
    const out: Value64 = { shape: [a.shape[0], a.shape[1], b.shape[2]], data: batchedMatMul(a.data, b.data, a.shape, b.shape) };
    // the error bound |err_a|·|b| + |a|·|err_b|: a product's own array is the bound when only one
    // operand carries an error (the usual case), else the second is added into the first
    if (a.error || b.error) {
      const magnitude = (values: Floats): Float64Array => {
        const out = float64Array(values.length);
        for (let i = 0; i < out.length; i++) out[i] = Math.abs(values[i]);
        return out;
      };
      const times = (error: Float64Array, other: Floats, errorFirst: boolean): Float64Array => {
        const size = magnitude(other);
        const product = errorFirst ? batchedMatMul(error, size, a.shape, b.shape) : batchedMatMul(size, error, a.shape, b.shape);
        giveBack(size);
        return product;
      };
      // (a typed array's `from` with Math.abs calls it per element through the iterator: several
      // times slower, and this runs on every block of a rhs that carries an error bound)
      const fromA = a.error ? times(a.error, b.data, true) : null;
      const fromB = b.error ? times(b.error, a.data, false) : null;
      if (fromA && fromB) {
        addInto(fromA, fromB);
        giveBack(fromB);
      }
      out.error = fromA ?? fromB!;
    }
    return out;
  },
};

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}

/** [B, M, K] × [B, K, P] → [B, M, P], row-major; each batch through the shared float64 kernel. */
export function batchedMatMul(a: Floats, b: Floats, as: number[], bs: number[]): Float64Array {
  const [B, M, K] = as;
  const P = bs[2];
  if (bs[0] !== B || bs[1] !== K) throw new Error(`algebra64: matMul [${as}] × [${bs}]`);
  const out = float64Array(B * M * P);
  for (let batch = 0; batch < B; batch++) {
    matMulInto(a.subarray(batch * M * K, (batch + 1) * M * K), b.subarray(batch * K * P, (batch + 1) * K * P), out.subarray(batch * M * P, (batch + 1) * M * P), M, K, P);
  }
  return out;
}

// Kinks ride along: an operation on values that carry `kink` is also run on the flags (as 0/1
// numbers, combined so that any touched flag marks the output) and on each one-sided alternative.

function flagsOf(t: Value64): Value64 {
  return { shape: t.shape, data: t.kink ? Float64Array.from(t.kink) : new Float64Array(t.data.length) };
}

function sideOf(t: Value64, side: 'forward' | 'backward'): Value64 {
  return { shape: t.shape, data: t.oneSided?.[side] ?? t.data };
}

/** `out` with the kink flags `flags` (> 0 marks) and one-sided values computed by `run`. */
function withKinks(out: Value64, flags: Value64, run: (side: 'forward' | 'backward') => Value64): Value64 {
  const kink = Uint8Array.from(flags.data, (v) => (v !== 0 ? 1 : 0));
  if (!kink.includes(1)) return out;
  return { ...out, kink, oneSided: { forward: run('forward').data, backward: run('backward').data } };
}

const plain = smoothAlgebra64;

export const algebra64: Algebra<Value64> = {
  ...smoothAlgebra64,
  select: (t, axis, index) => (t.kink ? withKinks(plain.select(t, axis, index), plain.select(flagsOf(t), axis, index), (s) => plain.select(sideOf(t, s), axis, index)) : plain.select(t, axis, index)),
  diagonal: (t, a, b) => (t.kink ? withKinks(plain.diagonal(t, a, b), plain.diagonal(flagsOf(t), a, b), (s) => plain.diagonal(sideOf(t, s), a, b)) : plain.diagonal(t, a, b)),
  transpose: (t, perm) => (t.kink ? withKinks(plain.transpose(t, perm), plain.transpose(flagsOf(t), perm), (s) => plain.transpose(sideOf(t, s), perm)) : plain.transpose(t, perm)),
  reshape: (t, shape) => (t.kink ? { ...t, shape: plain.reshape(t, shape).shape } : plain.reshape(t, shape)),
  unary: (op, t) => (t.kink ? withKinks(plain.unary(op, t), flagsOf(t), (s) => plain.unary(op, sideOf(t, s))) : plain.unary(op, t)),
  sum: (t, axis) => (t.kink ? withKinks(plain.sum(t, axis), plain.sum(flagsOf(t), axis), (s) => plain.sum(sideOf(t, s), axis)) : plain.sum(t, axis)),
  extreme: (t, axis, which) => (t.kink ? withKinks(plain.extreme(t, axis, which), plain.sum(flagsOf(t), axis), (s) => plain.extreme(sideOf(t, s), axis, which)) : plain.extreme(t, axis, which)),
  take: (t, offsets, shape) => (t.kink ? withKinks(plain.take(t, offsets, shape), plain.take(flagsOf(t), offsets, shape), (s) => plain.take(sideOf(t, s), offsets, shape)) : plain.take(t, offsets, shape)),
  binary(op, a, b, reuseA) {
    // with kinks, a's values are read again for the one-sided results: no reuse then
    if (!a.kink && !b.kink) return plain.binary(op, a, b, reuseA);
    const out = plain.binary(op, a, b);
    return withKinks(out, plain.binary('+', flagsOf(a), flagsOf(b)), (s) => plain.binary(op, sideOf(a, s), sideOf(b, s)));
  },
  matMul(a, b) {
    const out = plain.matMul(a, b);
    if (!a.kink && !b.kink) return out;
    const ones = (t: Value64): Value64 => ({ shape: t.shape, data: new Float64Array(t.data.length).fill(1) });
    const flags = plain.binary('+', plain.matMul(flagsOf(a), ones(b)), plain.matMul(ones(a), flagsOf(b)));
    return withKinks(out, flags, (s) => plain.matMul(sideOf(a, s), sideOf(b, s)));
  },
};
