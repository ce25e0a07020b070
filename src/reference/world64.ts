import type { Algebra, ElementwiseBinary, ElementwiseUnary, World } from '../formula/algebra';
import type { Model, Scenario } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import { parameterNames, parameterOf } from '../model/symbols';
import { algebra64, type Value64 } from './algebra64';
import { derivativeAlong, movedForward, type Direction64 } from './directional64';
import { placeColumn, type Jacobian64 } from './gradient64';
import { derivative64, SideRecorder } from './kinks';
import { matMulPlain } from './matMul64';
import { nextParameters64 } from './next64';
import { forward64, rowOf, type Env64 } from './network64';
import { seededSample } from './sampling';
import { maxAbs } from '../foundation/tensor';

/**
 * Tensors larger than this many elements are not differentiated element by element (one Ridders
 * run, 4–20 forward passes, per element): their claims are checked along seeded random
 * directions and at chosen elements (src/claim/sampledGradientCheck.ts), and their share of the
 * gradient scale is taken at chosen elements. README "Verification at scale".
 */
export const LARGE_TENSOR = 4096;
/** Seeded elements of each large parameter whose derivative joins the gradient scale. */
export const SCALE_SAMPLE = 16;

/** Formula functions with a kink or a jump at 0 (their input's side of 0 is recorded). */
const KINKED_UNARY: ReadonlySet<ElementwiseUnary> = new Set<ElementwiseUnary>(['relu', 'abs', 'step', 'not']);
/** Formula operators whose result jumps (0 or 1) where their operands cross (the result is recorded). */
const STEP_BINARY: ReadonlySet<ElementwiseBinary> = new Set<ElementwiseBinary>(['==', '!=', '<', '<=', '>', '>=', 'and', 'or']);

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
 * next(P) by the optimizer's float64 rule (next64.ts). ∂E/∂W_l and ∂E/∂b_l (claims' grad(E, P), the
 * gradient scale, next) come from ∂E/∂net_l, differentiated one row of the batch at a time
 * (lossGradientAtNet, parameterGradient): N·d_l cheap runs instead of one Ridders run through the
 * whole batch per parameter element (at 256-256-10, batch 64: 640 one-row runs for W2's 2560
 * elements).
 */
export function referenceWorld(scenario: Scenario, values: TrialValues, options: ReferenceOptions = {}): ReferenceWorld {
  const { model } = scenario;
  const env = forward64(model, values) as Map<string, Value64>;
  // The kinks of a formula differentiated by grad (relu, abs, step, not, comparisons): while f is
  // evaluated along a move (`watched`), the world's algebra shows their inputs (a comparison's
  // result) to that move's recorder, so that a step crossing one of them is seen
  // (src/reference/kinks.ts). A recorder per move, restored after: next(P) inside f may
  // differentiate E on its own.
  let recording: SideRecorder | null = null;
  const algebra: Algebra<Value64> = {
    ...algebra64,
    unary(op, t) {
      if (recording && KINKED_UNARY.has(op)) recording.see(t.data);
      return algebra64.unary(op, t);
    },
    binary(op, a, b, reuseA) {
      const out = algebra64.binary(op, a, b, reuseA);
      if (recording && STEP_BINARY.has(op)) recording.see(out.data);
      return out;
    },
  };
  /** f along a move, the inputs of its formula's kinks recorded by `sides` (at t = 0) or compared with those (else) */
  const watched =
    <R>(sides: SideRecorder, f: (t: number) => R) =>
    (t: number): R => {
      const outer = recording;
      recording = sides;
      sides.begin(t === 0);
      try {
        return f(t);
      } finally {
        sides.end();
        recording = outer;
      }
    };
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
      const sides = new SideRecorder();
      const estimate = derivative64(
        watched(sides, (t) => {
          const out = f(moved(t) as Map<string, Value64>);
          if (out.data.length !== outputs) throw new Error(`grad: expected ${outputs} outputs, got ${out.data.length}`);
          // F may be a trial's weights themselves (float32 storage)
          return out.data instanceof Float64Array ? out.data : Float64Array.from(out.data);
        }),
        base.data[m],
        { crossed: () => moved.crossed() || sides.crossed() },
      );
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
    const sides = new SideRecorder();
    const d = derivativeAlong(movedForward(model, values, env, symbol, direction, true), f, q, direction, () => sides.crossed(), (g) => watched(sides, g));
    const kink = d.kink?.[0] ? { kink: { forward: d.forward![0], backward: d.backward![0] } } : {};
    return { value: d.value[0], error: d.error[0], evaluations: d.evaluations, ...kink };
  };
  const loss = (e: Env64): number => e.get('E')!.data[0];
  // ∂E/∂net_l element by element (row r's loss moved through net_l[r, j] only), once per layer
  // and trial; null where some element is a kink or not finite
  const netGradients = new Map<number, NetGradient | null>();
  const netGradient = (l: number): NetGradient | null => {
    if (!netGradients.has(l)) netGradients.set(l, lossGradientAtNet(model, values, env, l));
    return netGradients.get(l)!;
  };
  // ∂E/∂symbol, once per trial: shared by the claims' lhs, the gradient scale and next(). A
  // kernel or bias from ∂E/∂net_l of its layer (parameterGradient), unless that has a kink; every
  // other symbol element by element, the same numbers as gradient(symbol, 1, E) (the same passes).
  const lossGradients = new Map<string, Value64>();
  const lossGradient = (symbol: string): Value64 => {
    let g = lossGradients.get(symbol);
    if (!g) {
      const parameter = parameterOf(symbol);
      const G = parameter ? netGradient(parameter.layer) : null;
      if (parameter && G) g = parameterGradient(env, parameter.kind, parameter.layer, G);
      else {
        const full = gradient(symbol, 1, (e) => e.get('E')!);
        g = algebra64.reshape(full, full.shape.slice(1));
      }
      lossGradients.set(symbol, g);
    }
    return g;
  };
  let next: ((symbol: string) => Value64) | undefined;
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
    algebra,
    env,
    gradient,
    lossGradient: (symbol) => (env.has(symbol) && symbol !== 'E' && symbol !== 'N' ? lossGradient(symbol) : null),
    elementDerivative: (symbol, f, element) => along(symbol, f, { kind: 'element', index: element }),
    directionalDerivative: (symbol, f, v) => along(symbol, f, { kind: 'dense', data: v }),
    next(symbol) {
      // later steps' gradients from a reference world of the trial with the parameters moved
      next ??= nextParameters64(scenario, values, { lossGradient }, (moved) => {
        const world = referenceWorld(scenario, moved);
        return { lossGradient: (name) => world.lossGradient!(name)! };
      });
      return next(symbol);
    },
    gradientScale() {
      scale ??= Math.max(0, ...parameterNames(model).map(parameterScale));
      return scale;
    },
    scaleSource: () => (sampled ? 'sampled' : 'every element'),
  };
}

/** ∂E/∂net_l of one trial, [N, d_l], with the error estimate of each element. */
export interface NetGradient {
  value: Float64Array;
  error: Float64Array;
}

/**
 * ∂E/∂net_l[r, j] for every element, by the reference's finite differences (derivative64) of row
 * r's term of E with net_l[r, j] moved (rowOf: the other rows do not move, so it differs
 * from E by a constant). Null when some element is a kink (one-sided derivatives differ) or not
 * finite: the caller then differentiates element by element, which reports kinks as such.
 */
export function lossGradientAtNet(model: Model, values: TrialValues, base: Env64, l: number): NetGradient | null {
  const net = base.get(`net${l}`)!;
  const [n, width] = net.shape;
  const value = new Float64Array(n * width);
  const error = new Float64Array(n * width);
  for (let r = 0; r < n; r++) {
    const row = rowOf(model, values, base, l, r);
    for (let j = 0; j < width; j++) {
      const loss = row.along(j);
      const d = derivative64((t) => Float64Array.of(loss(t)), net.data[r * width + j], { magnitude: row.magnitude, crossed: loss.crossed });
      if (d.kink || !Number.isFinite(d.value[0]) || !Number.isFinite(d.error[0])) return null;
      value[r * width + j] = d.value[0];
      error[r * width + j] = d.error[0];
    }
  }
  return { value, error };
}

/**
 * ∂E/∂W_l and ∂E/∂b_l from G = ∂E/∂net_l, as net_l = a_(l−1)·W_l + b_l is linear in them. Moving
 * W_l[i, j] by t moves net_l[r, j] by t·a_(l−1)[r, i] in each row r and nothing else, and E is a
 * sum of one function per row (rowOf), so d/dt E = Σ_r a_(l−1)[r, i]·G[r, j] exactly (the
 * chain rule in one variable per row; only G has to be differentiable, which lossGradientAtNet
 * checked), and ∂E/∂b_l[j] = Σ_r G[r, j]. The error adds Σ_r |a_(l−1)[r, i]|·err(G[r, j]) and the
 * rounding of the sum, N·ε·Σ_r |a_(l−1)[r, i]·G[r, j]| (N·ε ≥ γ_N = N·u/(1 − N·u), u = ε/2).
 */
export function parameterGradient(base: Env64, kind: 'W' | 'b', l: number, G: NetGradient): Value64 {
  const [n, width] = base.get(`net${l}`)!.shape;
  const rounding = n * Number.EPSILON;
  // err(G) + N·ε·|G|: multiplied by |a| it bounds each term's share of the error
  const bound = new Float64Array(G.value.length);
  for (let k = 0; k < bound.length; k++) bound[k] = G.error[k] + rounding * Math.abs(G.value[k]);
  if (kind === 'b') {
    const data = new Float64Array(width);
    const error = new Float64Array(width);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < width; j++) {
        data[j] += G.value[r * width + j];
        error[j] += bound[r * width + j];
      }
    }
    return { shape: [width], data, error };
  }
  const a = base.get(`a${l - 1}`)!;
  const rows = a.shape[1];
  // a_(l−1) transposed, and its absolute values
  const aT = new Float64Array(rows * n);
  const absT = new Float64Array(rows * n);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < rows; i++) {
      aT[i * n + r] = a.data[r * rows + i];
      absT[i * n + r] = Math.abs(a.data[r * rows + i]);
    }
  }
  return { shape: [rows, width], data: matMulPlain(aT, G.value, rows, n, width), error: matMulPlain(absT, bound, rows, n, width) };
}
