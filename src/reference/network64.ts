import type { Activation, Model } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import { sideOf, sidesDiffer } from './kinks';
import { matMulPlain } from './matMul64';
import { asFloat64, tensor64, type Tensor64 } from '../foundation/tensor';

// The float64 forward pass, written from the definitions in plain loops so that it shares
// nothing with tfjs. Every symbol of DESIGN §2 lands in the environment.

export type Env64 = Map<string, Tensor64>;

/** One symbol held at a given value; everything downstream of it is recomputed from it. */
export interface Override64 {
  symbol: string;
  value: Tensor64;
}

/**
 * An environment some of whose tensors are built only if read (a moved pass's output o, which the
 * loss does not need; the moved symbol itself, src/reference/directional64.ts). Reading one
 * builds it once; the numbers are those an eager pass would hold.
 */
export class LazyEnv extends Map<string, Tensor64> {
  private readonly pending = new Map<string, () => Tensor64>();

  defer(name: string, build: () => Tensor64): void {
    super.delete(name);
    this.pending.set(name, build);
  }

  override get(key: string): Tensor64 | undefined {
    const build = this.pending.get(key);
    if (build) {
      this.pending.delete(key);
      super.set(key, build());
    }
    return super.get(key);
  }

  override has(key: string): boolean {
    return this.pending.has(key) || super.has(key);
  }
}

export function matMul64(a: Tensor64, b: Tensor64): Tensor64 {
  const [n, p] = a.shape;
  const q = b.shape[1];
  return { shape: [n, q], data: matMulPlain(a.data, b.data, n, p, q) };
}

/** φ of each activation, elementwise. */
export const activations64: Record<Activation, (z: number) => number> = {
  linear: (z) => z,
  sigmoid: (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))),
  tanh: Math.tanh,
  relu: (z) => (z > 0 ? z : 0),
};

/**
 * Activations with a kink (a point where φ is not differentiable), all at z = 0: a moved pass
 * whose input to one of them changes side of 0 has crossed a kink (src/reference/kinks.ts).
 */
export const kinkedActivations: ReadonlySet<Activation> = new Set<Activation>(['relu']);

function mapTensor(t: Tensor64, f: (v: number) => number): Tensor64 {
  // a loop, not Float64Array.prototype.map, which is ~20× slower in V8
  const data = new Float64Array(t.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(t.data[i]);
  return { shape: [...t.shape], data };
}

function softmaxRows(z: Tensor64): Tensor64 {
  const [n, k] = z.shape;
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, z.data[r * k + c]);
    let total = 0;
    for (let c = 0; c < k; c++) total += out[r * k + c] = Math.exp(z.data[r * k + c] - max);
    for (let c = 0; c < k; c++) out[r * k + c] /= total;
  }
  return { shape: [n, k], data: out };
}

/** Σ over the batch and classes of the per-element loss, before reduction. */
function summedLoss(model: Model, env: Env64, fromOutput: boolean): number {
  const L = model.layers.length;
  const y = env.get('y')!.data;
  const output = () => env.get('o')!.data;
  // CE losses require a linear last layer, so aL is the logits netL (and follows an override of aL)
  const z = env.get(`a${L}`)!.data;
  let total = 0;
  switch (model.loss.type) {
    case 'softmax-cross-entropy': {
      if (fromOutput) {
        const o = output();
        for (let i = 0; i < y.length; i++) if (y[i] !== 0) total -= y[i] * Math.log(o[i]);
        return total;
      }
      // -Σ y log softmax(z), with log-sum-exp for accuracy
      const [n, k] = env.get(`a${L}`)!.shape;
      for (let r = 0; r < n; r++) {
        let max = -Infinity;
        for (let c = 0; c < k; c++) max = Math.max(max, z[r * k + c]);
        let s = 0;
        for (let c = 0; c < k; c++) s += Math.exp(z[r * k + c] - max);
        // (z − max) − log s: equal logits give exactly −log k, whatever their size
        const logS = Math.log(s);
        for (let c = 0; c < k; c++) total -= y[r * k + c] * (z[r * k + c] - max - logS);
      }
      return total;
    }
    case 'sigmoid-cross-entropy': {
      if (fromOutput) {
        const o = output();
        // 0·log 0 = 0: a term whose weight is zero is left out, as for softmax above
        for (let i = 0; i < y.length; i++) {
          if (y[i] !== 0) total -= y[i] * Math.log(o[i]);
          if (y[i] !== 1) total -= (1 - y[i]) * Math.log(1 - o[i]);
        }
        return total;
      }
      for (let i = 0; i < y.length; i++) {
        total += Math.max(z[i], 0) - z[i] * y[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
      }
      return total;
    }
    case 'mse': {
      const o = output();
      for (let i = 0; i < y.length; i++) total += (y[i] - o[i]) ** 2;
      return model.loss.half ? total / 2 : total;
    }
  }
}

/** Row r of a batch, moved through one element of net_l at a time (rowOf). */
export interface MovedRow {
  /**
   * The size of the numbers the row's loss is computed from (|its loss| + Σ|a_L[r, ·]| +
   * Σ|y[r, ·]|, divided as E is), whose rounding it carries: a confident row's −log o ≈ 1e-9
   * comes out of log(1 + 1e-9), rounded to ε, far coarser than ε times its value. Finite
   * differences of the row take it as the size of f when bounding their rounding
   * (RiddersOptions.magnitude).
   */
  magnitude: number;
  /**
   * t ↦ row r's term of E with net_l[r, j] moved by t. The function returned is used one call at
   * a time; its `crossed()` says whether the last call had some relu input (net_l[r, j] itself
   * and row r of the later layers' net) on another side of 0 than the unperturbed pass.
   */
  along(j: number): MovedScalar;
}

/** A function of the move t whose `crossed()` tells whether its last call crossed a kink. */
export type MovedScalar = ((t: number) => number) & { crossed(): boolean };

/**
 * Row r's term of E (its summed loss, divided by N under mean reduction), with one element
 * net_l[r, j] moved: t ↦ E(net_l + t·e_rj) minus the terms of the other rows, which do not move.
 * The rows of a batch are independent (dense layers, elementwise activations, a loss summed over
 * rows), so net_l[r, ·] reaches only row r of a_l, net_(l+1), …, a_L and row r's loss. Every
 * other number is the unperturbed pass `base`'s; net_(l+1)[r, ·] follows by the rank-one update
 * Δa_l[r, j]·W_(l+1)[j, ·], the layers after it by one row of their product, and the row's loss
 * by the same code as E (summedLoss on a one-row environment). The same function as a moved full
 * pass up to a constant and to where the rounding happens (≈1e-16 relative).
 */
export function rowOf(model: Model, values: TrialValues, base: Env64, l: number, r: number): MovedRow {
  const L = model.layers.length;
  const width = (k: number) => model.layers[k - 1].units;
  // rows of computed layers (float64; only a trial's weights are kept as float32)
  const row = (name: string, k: number) => asFloat64(base.get(name)!.data).subarray(r * width(k), (r + 1) * width(k));
  const netRow = row(`net${l}`, l);
  const aRow = row(`a${l}`, l);
  const k = width(L);
  const y = base.get('y')!.data.subarray(r * k, (r + 1) * k);
  const divide = model.loss.reduction === 'mean' ? values.x.shape[0] : 1;
  const nextRow = l < L ? row(`net${l + 1}`, l + 1) : null;
  // the layers after l + 1: their kernels, biases and activations, and one row of scratch each
  const later = model.layers.slice(l).map((layer, m) => ({
    phi: activations64[layer.activation],
    linear: layer.activation === 'linear',
    w: base.get(`W${l + m + 1}`)!.data,
    b: layer.bias ? base.get(`b${l + m + 1}`)!.data : null,
    net: new Float64Array(layer.units),
    a: layer.activation === 'linear' ? null : new Float64Array(layer.units),
    // the unperturbed row of this layer's net when its activation has a kink, to compare sides with
    kinked: kinkedActivations.has(layer.activation) ? row(`net${l + m + 1}`, l + m + 1) : null,
  }));
  const kinkedHere = kinkedActivations.has(model.layers[l - 1].activation);
  // a one-row environment for summedLoss: a_L (and o, which mse reads: a_L itself) and y
  const aL: Tensor64 = { shape: [1, k], data: new Float64Array(k) };
  const env: Env64 = new Map([[`a${L}`, aL], ['y', { shape: [1, k], data: y }]]);
  if (model.loss.type === 'mse') env.set('o', aL);
  const lossOf = (a: Float64Array): number => {
    aL.data = a;
    return summedLoss(model, env, false) / divide;
  };
  const phi = activations64[model.layers[l - 1].activation];
  const along = (j: number): MovedScalar => {
    let crossed = false;
    const report = () => crossed;
    if (l === L) {
      const a = aRow.slice();
      return Object.assign(
        (t: number): number => {
          crossed = kinkedHere && sideOf(netRow[j] + t) !== sideOf(netRow[j]);
          a[j] = phi(netRow[j] + t);
          return lossOf(a);
        },
        { crossed: report },
      );
    }
    const outgoing = later[0].w.subarray(j * width(l + 1), (j + 1) * width(l + 1));
    return Object.assign((t: number): number => {
      crossed = kinkedHere && sideOf(netRow[j] + t) !== sideOf(netRow[j]);
      const change = phi(netRow[j] + t) - aRow[j];
      let a: Float64Array = aRow;
      for (let m = 0; m < later.length; m++) {
        const { net, phi: f, linear, w, b } = later[m];
        if (m === 0) for (let c = 0; c < net.length; c++) net[c] = nextRow![c] + change * outgoing[c];
        else {
          // one row of a_(l+m)·W_(l+m+1) + b, summed in the order of the full pass's product
          const rows = a.length;
          for (let c = 0; c < net.length; c++) {
            let total = 0;
            for (let i = 0; i < rows; i++) total += a[i] * w[i * net.length + c];
            net[c] = b ? total + b[c] : total;
          }
        }
        const kinked = later[m].kinked;
        if (kinked && !crossed) crossed = sidesDiffer(kinked, net);
        if (linear) a = net;
        else {
          a = later[m].a!;
          for (let c = 0; c < net.length; c++) a[c] = f(net[c]);
        }
      }
      return lossOf(a);
    }, { crossed: report });
  };
  let size = Math.abs(lossOf(row(`a${L}`, L).slice())) * divide;
  for (let c = 0; c < k; c++) size += Math.abs(aL.data[c]) + Math.abs(y[c]);
  return { magnitude: size / divide, along };
}

/**
 * The computed symbols in forward order and the first of them that depends on `symbol`: with an
 * override, everything before that position is the same as in the unperturbed pass.
 */
function firstAffected(model: Model, symbol: string): number {
  const L = model.layers.length;
  const m = /^(W|b|net|a)(\d+)$/.exec(symbol);
  if (symbol === 'x' || symbol === 'a0') return 0; // net1
  if (m && (m[1] === 'W' || m[1] === 'b')) return 2 * (Number(m[2]) - 1); // net_l
  if (m && m[1] === 'net') return 2 * Number(m[2]) - 1; // a_l
  if (m && m[1] === 'a') return 2 * Number(m[2]); // net_{l+1}, or o after the last layer
  if (symbol === 'o' || symbol === 'y') return 2 * L + 1; // E
  return 2 * L + 2; // nothing computed depends on it
}

/**
 * Forward pass of one trial in float64. With an override, that symbol takes the given value
 * (x and a0 are one symbol) and everything computed after it follows from it. With `base` (the
 * unperturbed pass of the same trial), what does not depend on the override is taken from it
 * instead of being computed again: the same numbers, at the cost of the downstream layers only.
 */
export function forward64(model: Model, values: TrialValues, override?: Override64, base?: Env64): Env64 {
  // a moved pass (with `base`) builds o only if something reads it: the loss is computed from the logits
  const env: Env64 = base ? new LazyEnv() : new Map();
  const reuseBefore = override && base ? firstAffected(model, override.symbol) : 0;
  let computed = 0;
  const pick = (name: string, compute: () => Tensor64): Tensor64 => {
    const aliased = name === 'a0' ? 'x' : name;
    const value = override && (override.symbol === aliased || (override.symbol === 'a0' && aliased === 'x')) ? override.value : compute();
    env.set(name, value);
    return value;
  };
  /** a computed symbol: from `base` while upstream of the override */
  const pickComputed = (name: string, compute: () => Tensor64): Tensor64 => pick(name, computed++ < reuseBefore ? () => base!.get(name)! : compute);
  const L = model.layers.length;
  const N = values.x.shape[0];
  let a = pick('x', () => values.x);
  env.set('a0', a);
  model.layers.forEach((layer, i) => {
    pick(`W${i + 1}`, () => values.weights[i]);
    if (layer.bias) pick(`b${i + 1}`, () => values.biases[i]!);
  });
  for (let l = 1; l <= L; l++) {
    const layer = model.layers[l - 1];
    const previous = a;
    const net = pickComputed(`net${l}`, () => {
      const z = matMul64(previous, env.get(`W${l}`)!);
      if (layer.bias) {
        const b = env.get(`b${l}`)!.data;
        const width = b.length;
        for (let i = 0; i < z.data.length; i++) z.data[i] += b[i % width];
      }
      return z;
    });
    // linear: a_l is net_l itself (nothing downstream writes into it)
    a = pickComputed(`a${l}`, () => (layer.activation === 'linear' ? net : mapTensor(net, activations64[layer.activation])));
  }
  const aL = a;
  const output = (): Tensor64 => {
    switch (model.loss.type) {
      case 'softmax-cross-entropy':
        return softmaxRows(aL);
      case 'sigmoid-cross-entropy':
        return mapTensor(aL, activations64.sigmoid);
      case 'mse':
        return aL;
    }
  };
  const outputHeldHere = override !== undefined && override.symbol === 'o';
  if (!outputHeldHere && env instanceof LazyEnv && computed >= reuseBefore) {
    computed++;
    env.defer('o', output);
  } else pickComputed('o', output);
  pick('y', () => values.y);
  const outputHeld = override?.symbol === 'o';
  pickComputed('E', () => {
    const total = summedLoss(model, env, outputHeld);
    return tensor64([], [model.loss.reduction === 'mean' ? total / N : total]);
  });
  env.set('N', tensor64([], [N]));
  for (const [name, value] of values.constants) env.set(name, value);
  return env;
}
