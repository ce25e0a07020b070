import type { Optimizer } from '../scenario/schema';
import { maxAbs, type Floats, type Tensor64 } from '../foundation/tensor';
import type { Value64 } from './algebra64';

// The update rules of tf.train.sgd / momentum / rmsprop / adam (tfjs-core 4.22,
// src/optimizers/*_optimizer.ts), in float64, with a first-order error bound carried through
// every step. Formulas and where PyTorch differs: docs/optimizers.md.
//
// The error bound. P_t (the parameters after t steps) is a function of the gradients g_1 … g_t
// and of the starting parameters, which are exact (the trial's numbers). Each g_s comes with the
// reference's per-element bound e_s (Ridders' error estimate, carried through the chain rule).
// To first order the error of q = f(a, b, …) computed from inexact a, b, … is at most
// |∂f/∂a|·δa + |∂f/∂b|·δb + …. Each rule keeps, beside every value it carries from step to step
// (the state: velocity, mean square, moments), a bound on that value's error, and bounds the move
// Δ of step s by
//   |dΔ/dg_s|·e_s + Σ over the state x it reads |∂Δ/∂x|·δx
// where dΔ/dg_s is the total derivative through everything g_s feeds within the step (for Adam
// through m̂ and √v̂ together: its step hardly depends on a large gradient's size, and the bound
// keeps that; on the first step this is the first-order effect itself). Across steps the paths
// through different state variables are added without their signs, so the bound can exceed the
// effect there (spec/reference/optimizers64.spec.ts measures by how much). δP_t = Σ_s δΔ_s. Two
// more first-order terms:
// - the gradient of step s ≥ 2 is taken at the computed P_(s−1), off by up to δP_(s−1) from the
//   exact one, which moves g_s by H·δP (H the Hessian of E). That is estimated by one more
//   gradient, along δP (`curvatureAlong`), and added to e_s.
// - the float64 rounding of the rule itself, a few units of roundoff of each term (ROUNDING).
// Where a quantity is not differentiable (√v at v = 0) the bound of √ is used as it is:
// √(v + δv) − √v ≤ min(δv / (2√v), √δv).

/** Units of roundoff charged per value a rule computes (each rounds at most a few times, each by ≤ ε/2 of its terms). */
const ROUNDING = 4 * Number.EPSILON;
/** How far `curvatureAlong` moves the largest parameter element, relative to the largest |P| (at least 1). */
const CURVATURE_STEP = 1e-4;

/** ∂E/∂P for each parameter, with the reference's error bound per element, where the steps ask for it. */
export interface GradientSource64 {
  /** at the trial's own parameters */
  atStart(name: string): Value64;
  /** at other parameter values (every parameter named); the gradients of one call belong together */
  at(parameters: ReadonlyMap<string, Float64Array>): (name: string) => Value64;
}

/** Per-element state of a rule for one parameter: its values and their error bounds, one array each per slot. */
interface State {
  value: Float64Array[];
  error: Float64Array[];
}

/** One step's move Δ of a parameter (P' = P − Δ) and the error bound of each element. */
interface Move {
  delta: Float64Array;
  error: Float64Array;
}

interface Rule<O extends Optimizer> {
  /** how many arrays of state the rule keeps per parameter (each starts at zero, as tfjs's zerosLike) */
  slots(o: O): number;
  /** step t (1-based) of one parameter with gradient g (error bound eg): updates `s`, writes the move */
  step(o: O, s: State, g: Floats, eg: Floats, t: number, out: Move): void;
}

type Rules = { [K in Optimizer['type']]: Rule<Extract<Optimizer, { type: K }>> };

/** √v and its error bound, given v ≥ 0 and v's bound dv. */
function sqrtWithError(v: number, dv: number): [number, number] {
  const r = Math.sqrt(v);
  return [r, r > 0 ? Math.min(dv / (2 * r), Math.sqrt(dv)) : Math.sqrt(dv)];
}

const RULES: Rules = {
  // P' = P − lr·g
  sgd: {
    slots: () => 0,
    step(o, _s, g, eg, _t, out) {
      const lr = o.learningRate;
      for (let i = 0; i < g.length; i++) {
        out.delta[i] = lr * g[i];
        out.error[i] = lr * eg[i] + ROUNDING * Math.abs(out.delta[i]);
      }
    },
  },
  // a' = μ·a + g;  P' = P − lr·a'  (Nesterov: P' = P − lr·(g + μ·a'))
  momentum: {
    slots: () => 1,
    step(o, s, g, eg, _t, out) {
      const { learningRate: lr, momentum: mu, nesterov } = o;
      const [a] = s.value;
      const [da] = s.error;
      for (let i = 0; i < g.length; i++) {
        const next = mu * a[i] + g[i];
        da[i] = mu * da[i] + eg[i] + ROUNDING * (mu * Math.abs(a[i]) + Math.abs(g[i]));
        a[i] = next;
        if (nesterov) {
          out.delta[i] = lr * (g[i] + mu * next);
          out.error[i] = lr * (eg[i] + mu * da[i]) + ROUNDING * lr * (Math.abs(g[i]) + mu * Math.abs(next));
        } else {
          out.delta[i] = lr * next;
          out.error[i] = lr * da[i] + ROUNDING * Math.abs(out.delta[i]);
        }
      }
    },
  },
  // s' = ρ·s + (1 − ρ)·g²;  m' = μ·m + lr·g / √(s' + ε);  P' = P − m'
  // centered: c' = ρ·c + (1 − ρ)·g and m' = μ·m + lr·g / √(s' − (c'² + ε)), as tfjs writes it
  // (tfjs subtracts ε there; TensorFlow's ApplyCenteredRMSProp adds it)
  rmsprop: {
    slots: (o) => (o.centered ? 3 : 2),
    step(o, st, g, eg, _t, out) {
      const { learningRate: lr, decay: rho, momentum: mu, epsilon: eps, centered } = o;
      const [s, m, c] = st.value;
      const [ds, dm, dc] = st.error;
      for (let i = 0; i < g.length; i++) {
        const gi = g[i];
        const sNext = rho * s[i] + (1 - rho) * gi * gi;
        const cNext = centered ? rho * c[i] + (1 - rho) * gi : 0;
        const D = centered ? sNext - (cNext * cNext + eps) : sNext + eps;
        const q = (lr * gi) / Math.sqrt(D);
        // q(g, s, c): ∂q/∂D = −q/(2D); dD/dg = 2(1 − ρ)(g − c'), ∂D/∂s = ρ, ∂D/∂c = −2c'ρ
        const qD = Math.abs(q) / (2 * D);
        const dqdg = Math.abs(lr / Math.sqrt(D) - (q / (2 * D)) * 2 * (1 - rho) * (gi - cNext));
        const dq =
          dqdg * eg[i] + qD * rho * ds[i] + qD * 2 * Math.abs(cNext) * rho * (centered ? dc[i] : 0) + ROUNDING * (Math.abs(q) + qD * (sNext + cNext * cNext + eps));
        ds[i] = rho * ds[i] + 2 * (1 - rho) * Math.abs(gi) * eg[i] + ROUNDING * sNext;
        if (centered) dc[i] = rho * dc[i] + (1 - rho) * eg[i] + ROUNDING * (rho * Math.abs(c[i]) + (1 - rho) * Math.abs(gi));
        const mNext = mu * m[i] + q;
        dm[i] = mu * dm[i] + dq + ROUNDING * (mu * Math.abs(m[i]) + Math.abs(q));
        s[i] = sNext;
        if (centered) c[i] = cNext;
        m[i] = mNext;
        out.delta[i] = mNext;
        out.error[i] = dm[i];
      }
    },
  },
  // m' = β1·m + (1 − β1)·g;  v' = β2·v + (1 − β2)·g²;  m̂ = m'/(1 − β1^t);  v̂ = v'/(1 − β2^t);
  // P' = P − lr·m̂ / (√v̂ + ε)
  adam: {
    slots: () => 2,
    step(o, st, g, eg, t, out) {
      const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = o;
      const [m, v] = st.value;
      const [dm, dv] = st.error;
      // 1 − β^t, and its error: β^t is within ε·β^t of its value, which 1 − β^t cancels against
      const p1 = b1 ** t;
      const p2 = b2 ** t;
      const c1 = 1 - p1;
      const c2 = 1 - p2;
      const dc1 = 2 * Number.EPSILON * p1;
      const dc2 = 2 * Number.EPSILON * p2;
      for (let i = 0; i < g.length; i++) {
        const gi = g[i];
        const mNext = b1 * m[i] + (1 - b1) * gi;
        const vNext = b2 * v[i] + (1 - b2) * gi * gi;
        const mHat = mNext / c1;
        const vHat = vNext / c2;
        const root = Math.sqrt(vHat);
        const d = root + eps;
        const ratio = mHat / d;
        out.delta[i] = lr * ratio;
        // Δ(g, m, v) = lr·m̂/d: ∂Δ/∂m̂ = lr/d, ∂Δ/∂√v̂ = −lr·m̂/d²; dm̂/dg = (1 − β1)/c1,
        // d√v̂/dg = (1 − β2)·g/(c2·√v̂), which m̂ = 0 makes irrelevant where √v̂ = 0
        const slope = lr / d;
        const rootSlope = (lr * Math.abs(ratio)) / d;
        const dRootdg = root > 0 ? ((1 - b2) * gi) / (c2 * root) : 0;
        const dDeltadg = Math.abs(slope * ((1 - b1) / c1) - Math.sign(ratio) * rootSlope * dRootdg);
        // the moments' own errors (from earlier steps) and those of 1 − β^t
        const dmHat = (b1 * dm[i]) / c1 + (Math.abs(mHat) * dc1) / c1;
        const [, dRoot] = sqrtWithError(vHat, (b2 * dv[i]) / c2 + (vHat * dc2) / c2);
        out.error[i] = dDeltadg * eg[i] + slope * dmHat + rootSlope * dRoot + ROUNDING * (Math.abs(out.delta[i]) + rootSlope * d);
        dm[i] = b1 * dm[i] + (1 - b1) * eg[i] + ROUNDING * (b1 * Math.abs(m[i]) + (1 - b1) * Math.abs(gi));
        dv[i] = b2 * dv[i] + 2 * (1 - b2) * Math.abs(gi) * eg[i] + ROUNDING * vNext;
        m[i] = mNext;
        v[i] = vNext;
      }
    },
  },
};

/**
 * Every parameter of `start` after `optimizer.steps` steps of the optimizer, each step taken with
 * the gradient at the parameters the step before left, in float64, with the error bound
 * described at the head of this file. With one step each parameter moves by its own gradient
 * only, so `start` may hold just the parameters wanted; with more, it must hold every parameter
 * the gradients depend on.
 *
 * A gradient at a kink (Value64.kink) carries over: on the last step, to the elements it moves,
 * with their one-sided values (the step taken with each one-sided gradient); before the last
 * step, to every element, since every later gradient depends on where that step went.
 */
export function optimize64(start: ReadonlyMap<string, Tensor64>, gradients: GradientSource64, optimizer: Optimizer): Map<string, Value64> {
  const rule = RULES[optimizer.type] as Rule<Optimizer>;
  const names = [...start.keys()];
  const params = new Map(names.map((n) => [n, Float64Array.from(start.get(n)!.data)]));
  const errors = new Map(names.map((n) => [n, new Float64Array(params.get(n)!.length)]));
  const states = new Map(names.map((n) => [n, zeroState(rule.slots(optimizer), params.get(n)!.length)]));
  const lastKinks = new Map<string, Pick<Value64, 'kink' | 'oneSided'>>();
  let kinkedBefore = false;
  for (let t = 1; t <= optimizer.steps; t++) {
    const last = t === optimizer.steps;
    if (t > 1 && !everyFinite(params)) {
      // a NaN or infinite parameter (e.g. tfjs's centered RMSProp, √ of a negative number) makes
      // every later gradient NaN, in tfjs too: no gradient can be taken there
      for (const name of names) {
        params.get(name)!.fill(NaN);
        errors.get(name)!.fill(NaN);
      }
      break;
    }
    // every gradient of this step before any parameter moves
    const gradientOf = t === 1 ? gradients.atStart : gradients.at(copies(params));
    const grads = new Map(names.map((n) => [n, gradientOf(n)]));
    const curvature = t === 1 ? null : curvatureAlong(gradients, params, errors, grads);
    for (const name of names) {
      const g = grads.get(name)!;
      const p = params.get(name)!;
      const dp = errors.get(name)!;
      const n = p.length;
      if (g.data.length !== n) throw new Error(`optimizer: the gradient of ${name} has ${g.data.length} elements, the parameter ${n}`);
      const eg = new Float64Array(n);
      for (let i = 0; i < n; i++) eg[i] = (g.error?.[i] ?? 0) + (curvature?.get(name)![i] ?? 0);
      const state = states.get(name)!;
      if (g.kink && last && !kinkedBefore) lastKinks.set(name, oneSidedSteps(rule, optimizer, state, p, g, t));
      kinkedBefore ||= g.kink !== undefined && !last;
      const move: Move = { delta: new Float64Array(n), error: new Float64Array(n) };
      rule.step(optimizer, state, g.data, eg, t, move);
      for (let i = 0; i < n; i++) {
        p[i] -= move.delta[i];
        dp[i] += move.error[i] + ROUNDING * Math.abs(p[i]);
      }
    }
  }
  return new Map(
    names.map((name) => {
      const data = params.get(name)!;
      const moved: Value64 = { shape: [...start.get(name)!.shape], data, error: errors.get(name)! };
      if (kinkedBefore) moved.kink = new Uint8Array(data.length).fill(1);
      else if (lastKinks.has(name)) Object.assign(moved, lastKinks.get(name));
      return [name, moved];
    }),
  );
}

function everyFinite(params: ReadonlyMap<string, Float64Array>): boolean {
  for (const p of params.values()) for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i])) return false;
  return true;
}

function zeroState(slots: number, n: number): State {
  return { value: Array.from({ length: slots }, () => new Float64Array(n)), error: Array.from({ length: slots }, () => new Float64Array(n)) };
}

function copies(params: ReadonlyMap<string, Float64Array>): Map<string, Float64Array> {
  return new Map([...params].map(([n, p]) => [n, p.slice()]));
}

/** The last step taken with each one-sided gradient of `g` instead (from copies of the state). */
function oneSidedSteps(rule: Rule<Optimizer>, optimizer: Optimizer, state: State, p: Float64Array, g: Value64, t: number): Pick<Value64, 'kink' | 'oneSided'> {
  const side = (gs: Floats): Float64Array => {
    const copy: State = { value: state.value.map((a) => a.slice()), error: state.error.map((a) => a.slice()) };
    const move: Move = { delta: new Float64Array(p.length), error: new Float64Array(p.length) };
    rule.step(optimizer, copy, gs, new Float64Array(p.length), t, move);
    return p.map((v, i) => v - move.delta[i]);
  };
  return { kink: g.kink, oneSided: { forward: side(g.oneSided!.forward), backward: side(g.oneSided!.backward) } };
}

/**
 * |H·δP| per element, H the Hessian of E and δP the parameters' error bounds (all parameters
 * together): the gradient's change from P to P + k·δP, over k, where k·δP moves the largest
 * element by CURVATURE_STEP of the largest |P| (at least 1). Plus the two gradients' own error
 * bounds over k: the estimate's share of finite-difference noise. Null while δP is 0 (no
 * gradient is spent on it). It is an estimate along one direction (every error at its bound, all
 * of one sign), as Ridders' error estimate is an estimate; the errors of another sign pattern
 * could move the gradient further where H mixes signs.
 */
function curvatureAlong(gradients: GradientSource64, params: ReadonlyMap<string, Float64Array>, errors: ReadonlyMap<string, Float64Array>, grads: ReadonlyMap<string, Value64>): Map<string, Float64Array> | null {
  let largest = 0;
  for (const e of errors.values()) largest = Math.max(largest, maxAbs(e));
  if (!(largest > 0) || !Number.isFinite(largest)) return null;
  let size = 1;
  for (const p of params.values()) size = Math.max(size, maxAbs(p));
  const k = (CURVATURE_STEP * size) / largest;
  const moved = new Map([...params].map(([n, p]) => [n, p.map((v, i) => v + k * errors.get(n)![i])]));
  const at = gradients.at(moved);
  return new Map(
    [...params.keys()].map((name) => {
      const g0 = grads.get(name)!;
      const g1 = at(name);
      return [name, Float64Array.from(g0.data, (v, i) => (Math.abs(g1.data[i] - v) + (g0.error?.[i] ?? 0) + (g1.error?.[i] ?? 0)) / k)];
    }),
  );
}
