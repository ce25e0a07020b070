import type { Model } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import { parameterOf } from '../model/symbols';
import { derivative64, sideOf, sidesDiffer, type KinkAwareEstimate } from './kinks';
import { matMulPlain } from './matMul64';
import { activations64, forward64, kinkedActivations, LazyEnv, type Env64 } from './network64';
import { asFloat64, maxAbs, type Tensor64 } from '../foundation/tensor';

// The network with one symbol moved along a direction, t ↦ env(Q + t·v), for derivatives by
// finite differences at scale. A kernel or bias enters the network only through
// net_l = a_(l−1)·W_l + b_l, which is linear in it, so Q + t·v gives net_l + t·(a_(l−1)·v) (the
// input x likewise: net_1 + t·(v·W_1)). That tangent is computed once; every step t then costs
// the layers downstream of net_l only, not a full forward pass. The function of t is the same
// one; only where the rounding happens differs (≈1e-16 relative), far below the tolerances.

/** A dense direction over all of Q's elements, or one element (the unit vector e_index). */
export type Direction64 = { kind: 'dense'; data: Float64Array } | { kind: 'element'; index: number };

/** Where a move of `symbol` first enters the computation, and its tangent there (d entry / dt). */
function entryTangent(model: Model, base: Env64, symbol: string, direction: Direction64): { entry: string; tangent: Float64Array } {
  const q = base.get(symbol)!;
  const layer = parameterOf(symbol);
  if (layer) {
    const l = layer.layer;
    const a = base.get(`a${l - 1}`)!;
    const [n, rows] = a.shape;
    const width = model.layers[l - 1].units;
    const tangent = new Float64Array(n * width);
    if (layer.kind === 'W') {
      if (direction.kind === 'dense') return { entry: `net${l}`, tangent: matMulPlain(a.data, direction.data, n, rows, width) };
      const i = Math.floor(direction.index / width);
      const j = direction.index % width;
      for (let r = 0; r < n; r++) tangent[r * width + j] = a.data[r * rows + i];
    } else {
      for (let r = 0; r < n; r++) {
        if (direction.kind === 'dense') tangent.set(direction.data, r * width);
        else tangent[r * width + direction.index] = 1;
      }
    }
    return { entry: `net${l}`, tangent };
  }
  if (symbol === 'x' || symbol === 'a0') {
    const w = base.get('W1')!;
    const [rows, width] = w.shape;
    const n = q.shape[0];
    if (direction.kind === 'dense') return { entry: 'net1', tangent: matMulPlain(direction.data, w.data, n, rows, width) };
    const tangent = new Float64Array(n * width);
    const r = Math.floor(direction.index / rows);
    const i = direction.index % rows;
    tangent.set(w.data.subarray(i * width, (i + 1) * width), r * width);
    return { entry: 'net1', tangent };
  }
  if (direction.kind === 'dense') return { entry: symbol, tangent: direction.data };
  const tangent = new Float64Array(q.data.length);
  tangent[direction.index] = 1;
  return { entry: symbol, tangent };
}

/**
 * A moved pass, t ↦ env(Q + t·v), and `crossed()`: whether the environment it returned last has
 * the input net_l of some kinked activation (relu) on another side of 0 than `base` in some
 * element, i.e. whether the move from 0 to t crossed a kink of the network (src/reference/kinks.ts).
 */
export type MovedForward = ((t: number) => Env64) & { crossed(): boolean };

/** The first layer whose net moves with `entry` (L + 1: none), entry as entryTangent gives it. */
function firstMovingNet(model: Model, entry: string): number {
  const L = model.layers.length;
  const m = /^(net|a)(\d+)$/.exec(entry);
  if (!m) return L + 1; // o, y, E, a constant: no layer follows
  return m[1] === 'net' ? Number(m[2]) : Number(m[2]) + 1;
}

/**
 * t ↦ the trial's environment with `symbol` at Q + t·v (x and a0 are one symbol), everything
 * downstream recomputed from the unperturbed pass `base`. The returned environments share
 * tensors with `base`: read them, never write. With `reuse`, the caller is done with each
 * environment before asking for the next (it keeps numbers computed from it, never its arrays),
 * so the moved entry tensor is written into one array for every t instead of a new one each.
 */
export function movedForward(model: Model, values: TrialValues, base: Env64, symbol: string, direction: Direction64, reuse = false): MovedForward {
  const found = base.get(symbol);
  if (!found) throw new Error(`no symbol ${symbol} in this network`);
  const q: Tensor64 = found;
  const names = symbol === 'x' || symbol === 'a0' ? ['x', 'a0'] : [symbol];
  const layer = parameterOf(symbol);
  const l = layer ? layer.layer : 0;
  let column: ((t: number, pending: Map<string, () => Tensor64>) => Env64) | null = null;
  let entry = `net${l}`;
  let tangent: Float64Array = new Float64Array(0);
  if (layer && direction.kind === 'element' && l < model.layers.length) {
    // the element's column of net_l and its tangent there: a_(l−1)[:, i] for W_l[i, j], ones for b_l[j]
    const a = base.get(`a${l - 1}`)!;
    const [n, rows] = a.shape;
    const width = model.layers[l - 1].units;
    const j = direction.index % width;
    const i = Math.floor(direction.index / width);
    const columnTangent = layer.kind === 'W' ? Float64Array.from({ length: n }, (_, r) => a.data[r * rows + i]) : new Float64Array(n).fill(1);
    column = columnMove(model, base, l, j, columnTangent);
  } else ({ entry, tangent } = entryTangent(model, base, symbol, direction));
  const origin = base.get(entry)!;
  let kept: Float64Array | null = null;
  // the kinked layers whose net moves; with a column move, net_l's column j is compared alone
  const watched: number[] = [];
  for (let m = firstMovingNet(model, entry); m <= model.layers.length; m++) if (kinkedActivations.has(model.layers[m - 1].activation)) watched.push(m);
  let last: Env64 | null = null;
  let lastColumn: Float64Array | null = null;
  const crossed = (): boolean => {
    if (!last) return false;
    for (const m of watched) {
      const unmoved = base.get(`net${m}`)!.data;
      if (column && m === l) {
        const width = model.layers[l - 1].units;
        const j = (direction as { index: number }).index % width;
        for (let r = 0; r < lastColumn!.length; r++) if (sideOf(lastColumn![r]) !== sideOf(unmoved[r * width + j])) return true;
      } else if (sidesDiffer(unmoved, last.get(`net${m}`)!.data)) return true;
    }
    return false;
  };
  const at = (t: number): Env64 => {
    const env = move(t);
    if (watched.length > 0) last = env;
    return env;
  };
  return Object.assign(at, { crossed });

  function move(t: number): Env64 {
    const pending = new Map<string, () => Tensor64>();
    let env: Env64;
    if (column) env = column(t, pending);
    else {
      const moved = reuse ? (kept ??= new Float64Array(origin.data.length)) : new Float64Array(origin.data.length);
      for (let i = 0; i < moved.length; i++) moved[i] = origin.data[i] + t * tangent[i];
      env = forward64(model, values, { symbol: entry, value: { shape: origin.shape, data: moved } }, base);
    }
    if (entry === symbol && pending.size === 0) return env;
    const movedQ = () => {
      const data = new Float64Array(q.data.length);
      if (direction.kind === 'dense') for (let i = 0; i < data.length; i++) data[i] = q.data[i] + t * direction.data[i];
      else {
        data.set(q.data);
        data[direction.index] += t;
      }
      return { shape: q.shape, data };
    };
    if (entry !== symbol) for (const name of names) pending.set(name, movedQ);
    const lazy = env instanceof LazyEnv ? env : new LazyEnv(env);
    for (const [name, build] of pending) lazy.defer(name, build);
    return lazy;
  }

  /**
   * One element of W_l or b_l moves one column j of net_l, hence of a_l, and net_(l+1) by the
   * outer product Δa_l[:, j] ⊗ W_(l+1)[j, :]: a rank-one update instead of a matrix product.
   */
  function columnMove(model: Model, base: Env64, l: number, j: number, columnTangent: Float64Array): (t: number, pending: Map<string, () => Tensor64>) => Env64 {
    const entry = `net${l}`;
    const net = base.get(entry)!;
    const [n, width] = net.shape;
    const a = base.get(`a${l}`)!;
    const next = base.get(`net${l + 1}`)!;
    const w = base.get(`W${l + 1}`)!.data;
    const out = next.shape[1];
    const phi = activations64[model.layers[l - 1].activation];
    const linear = model.layers[l - 1].activation === 'linear';
    return (t, pending) => {
      const movedNext = asFloat64(next.data).slice();
      const columnNet = new Float64Array(n);
      const columnA = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const at = r * width + j;
        columnNet[r] = net.data[at] + t * columnTangent[r];
        columnA[r] = linear ? columnNet[r] : phi(columnNet[r]);
        const change = columnA[r] - a.data[at];
        for (let c = 0; c < out; c++) movedNext[r * out + c] += change * w[j * out + c];
      }
      lastColumn = columnNet;
      const withColumn = (from: Tensor64, column: Float64Array) => () => {
        const data = asFloat64(from.data).slice();
        for (let r = 0; r < n; r++) data[r * width + j] = column[r];
        return { shape: from.shape, data };
      };
      pending.set(entry, withColumn(net, columnNet));
      pending.set(`a${l}`, withColumn(a, columnA));
      return forward64(model, values, { symbol: `net${l + 1}`, value: { shape: next.shape, data: movedNext } }, base);
    };
  }
}

/**
 * d/dt f(env(Q + t·v)) at t = 0 for a scalar f, by Ridders' extrapolated central differences,
 * kink-aware (a line that crosses a ReLU kink at t = 0 comes back flagged, one crossing within
 * the first step makes it smaller; src/reference/kinks.ts). The first step is what an element of
 * Q's size would get (a unit-norm v moves each element less). `crossedInF` and `watching`: kinks
 * inside f itself (formula functions), seen while `watching` wraps the calls of f.
 */
export function derivativeAlong(
  moved: MovedForward,
  f: (env: Env64) => number,
  q: Tensor64,
  direction: Direction64,
  crossedInF?: () => boolean,
  watching: (g: (t: number) => Float64Array) => (t: number) => Float64Array = (g) => g,
): KinkAwareEstimate {
  const start = direction.kind === 'element' ? q.data[direction.index] : maxAbs(q.data);
  // a move that crosses a kink of the network or of f (crossedInF, seen by `watching`) has its first step shrunk
  const crossed = crossedInF ? () => moved.crossed() || crossedInF() : moved.crossed;
  return derivative64(
    watching((t) => Float64Array.of(f(moved(t)))),
    start,
    { crossed },
  );
}
