import type { Activation, Model } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import { matMulPlain } from './matMul64';
import { tensor64, type Tensor64 } from './tensor64';

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
