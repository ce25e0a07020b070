import type { World } from '../formula/algebra';
import type { Optimizer, Scenario } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import { parameterNames } from '../model/symbols';
import { algebra64, type Value64 } from './algebra64';
import { derivativeAlong, movedForward, type Direction64 } from './directional64';
import { placeColumn, type Jacobian64 } from './gradient64';
import { derivative64 } from './kinks';
import { forward64, type Env64 } from './network64';
import { seededSample } from './sampling';
import { maxAbs } from './tensor64';

/**
 * Tensors larger than this many elements are not differentiated element by element (one Ridders
 * run, 4–20 forward passes, per element): their claims are checked along seeded random
 * directions and at chosen elements (src/claim/sampledGradientCheck.ts), and their share of the
 * gradient scale is taken at chosen elements. README "Verification at scale".
 */
export const LARGE_TENSOR = 4096;
/** Seeded elements of each large parameter whose derivative joins the gradient scale. */
export const SCALE_SAMPLE = 16;

/** A derivative of a scalar function of the network, with its error bound and its cost. */
export interface Derivative64 {
  value: number;
  error: number;
  evaluations: number;
  /** present when t = 0 is a kink of f along the move: the two one-sided derivatives, which differ */
  kink?: { forward: number; backward: number };
}

export interface ReferenceOptions {
  /**
   * Where each large parameter's ∂E/∂P is probably largest (flat element), e.g. from the tfjs
   * gradient: only a place to look; the value used is the reference's own derivative there.
   */
  scaleHints?: () => Map<string, number>;
}

/** The reference world, plus derivatives that do not need the whole Jacobian. */
export interface ReferenceWorld extends World<Value64> {
  env: Map<string, Value64>;
  /** ∂f/∂Q at one element (flat index) of Q, f a scalar function of the environment */
  elementDerivative(symbol: string, f: (env: Env64) => number, element: number): Derivative64;
  /** d/dt f(env(Q + t·v)) at t = 0 */
  directionalDerivative(symbol: string, f: (env: Env64) => number, v: Float64Array): Derivative64;
  /** how the gradient scale was obtained: every element, or chosen elements of large parameters */
  scaleSource(): 'every element' | 'sampled';
}

/**
 * The float64 reference world of one trial: the forward pass in plain loops, derivatives by
 * Ridders-extrapolated central differences (their error estimate rides along as `error`), and
 * next(P) by the float64 update rule P − lr·∂E/∂P.
 */
export function referenceWorld(scenario: Scenario, values: TrialValues, options: ReferenceOptions = {}): ReferenceWorld {
  const { model } = scenario;
  const env = forward64(model, values) as Map<string, Value64>;
  // Element by element, each through movedForward: only the layers downstream of the element
  // are recomputed (README "Verification at scale"); the same derivative as moving the element in
  // a full forward pass, up to rounding (~1e-16 relative) in where the step is added.
  const gradient = (symbol: string, outputs: number, f: (env: Map<string, Value64>) => Value64): Value64 => {
    const base = env.get(symbol);
    if (!base) throw new Error(`no symbol ${symbol} in this network`);
    const n = base.data.length;
    const into: Jacobian64 = { value: new Float64Array(outputs * n), error: new Float64Array(outputs * n), evaluations: 0 };
    for (let m = 0; m < n; m++) {
      const moved = movedForward(model, values, env, symbol, { kind: 'element', index: m });
      const estimate = derivative64((t) => {
        const out = f(moved(t) as Map<string, Value64>);
        if (out.data.length !== outputs) throw new Error(`grad: expected ${outputs} outputs, got ${out.data.length}`);
        return out.data;
      }, base.data[m]);
      placeColumn(into, estimate, m, n);
    }
    const shape = [outputs, ...base.shape];
    if (!into.kink) return { shape, data: into.value, error: into.error };
    return { shape, data: into.value, error: into.error, kink: into.kink, oneSided: { forward: into.forward!, backward: into.backward! } };
  };
  const along = (symbol: string, f: (env: Env64) => number, direction: Direction64): Derivative64 => {
    const q = env.get(symbol);
    if (!q) throw new Error(`no symbol ${symbol} in this network`);
    // f gives a number: each moved environment is done with before the next (reuse)
    const d = derivativeAlong(movedForward(model, values, env, symbol, direction, true), f, q, direction);
    const kink = d.kink?.[0] ? { kink: { forward: d.forward![0], backward: d.backward![0] } } : {};
    return { value: d.value[0], error: d.error[0], evaluations: d.evaluations, ...kink };
  };
  const loss = (e: Env64): number => e.get('E')!.data[0];
  // ∂E/∂symbol element by element, once per trial: shared by the claims' lhs, the gradient scale
  // and next(); the same numbers as gradient(symbol, 1, E) each time (the same passes)
  const lossGradients = new Map<string, Value64>();
  const lossGradient = (symbol: string): Value64 => {
    let g = lossGradients.get(symbol);
    if (!g) {
      const full = gradient(symbol, 1, (e) => e.get('E')!);
      g = algebra64.reshape(full, full.shape.slice(1));
      lossGradients.set(symbol, g);
    }
    return g;
  };
  let scale: number | undefined;
  let sampled = false;
  const parameterScale = (name: string): number => {
    const p = env.get(name)!;
    if (p.data.length <= LARGE_TENSOR) return maxAbs(lossGradient(name).data);
    sampled = true;
    const hint = options.scaleHints?.().get(name);
    const elements = new Set(seededSample(values.seed, name, p.data.length, SCALE_SAMPLE));
    if (hint !== undefined) elements.add(hint);
    let m = 0;
    for (const element of elements) m = Math.max(m, Math.abs(along(name, loss, { kind: 'element', index: element }).value));
    return m;
  };
  return {
    name: 'reference',
    algebra: algebra64,
    env,
    gradient,
    lossGradient: (symbol) => (env.has(symbol) && symbol !== 'E' && symbol !== 'N' ? lossGradient(symbol) : null),
    elementDerivative: (symbol, f, element) => along(symbol, f, { kind: 'element', index: element }),
    directionalDerivative: (symbol, f, v) => along(symbol, f, { kind: 'dense', data: v }),
    next(symbol) {
      const optimizer: Optimizer | undefined = scenario.optimizer;
      if (!optimizer) throw new Error('next() needs an optimizer in the scenario');
      const p = env.get(symbol)!;
      const g = lossGradient(symbol);
      const lr = optimizer.learningRate;
      const step = (d: Float64Array) => p.data.map((v, i) => v - lr * d[i]);
      const moved: Value64 = { shape: [...p.shape], data: step(g.data), error: g.error!.map((e) => lr * e) };
      if (g.kink) Object.assign(moved, { kink: g.kink, oneSided: { forward: step(g.oneSided!.forward), backward: step(g.oneSided!.backward) } });
      return moved;
    },
    gradientScale() {
      scale ??= Math.max(0, ...parameterNames(model).map(parameterScale));
      return scale;
    },
    scaleSource: () => (sampled ? 'sampled' : 'every element'),
  };
}
