import type { Expr } from '../formula/ast';
import type { CheckedClaim } from '../formula/check';
import { expandTo, FormulaEvaluator } from '../formula/evaluate';
import { plainVariable } from '../formula/indexForms';
import type { Value64 } from '../reference/algebra64';
import { float64Array, giveBack } from '../foundation/arrayPool';
import type { Env64 } from '../reference/definitions64';
import { maxAbsFinite, type Floats } from '../foundation/tensor';
import { rademacher, rademacherEntries, seededSample } from '../reference/sampling';
import { LARGE_TENSOR, SCALE_SAMPLE, type ReferenceWorld } from '../reference/world64';
import { compareSides, type ElementReport, type WorldOutcome } from './compare';
import { type Relation } from './relations';
import { type Sides } from './sides';
import { memoryCheckpoint } from './memoryCheckpoint';
import { ESTIMATE_SHARE, type Tolerance } from './tolerances';

// The reference world's check of `grad(F, Q)[i, j, …] <rel> rhs` when Q is too large to
// differentiate element by element. The rhs is evaluated in full; the lhs is never built.
// Instead (docs/at-scale.md):
//  1. per-element finite differences at chosen elements: those the tfjs world found worst, the
//     one where |rhs| is largest, and a seeded sample; judged exactly like every small claim;
//  2. for `==`, DIRECTIONS seeded Rademacher directions v (±1/√m on the m selected elements):
//     the directional derivative D_v F by finite differences (a handful of passes through the
//     layers downstream of Q) against ⟨v, rhs⟩.
// Tolerance of a direction: if the claim holds elementwise, |g_e − r_e| ≤ t_e with
// t_e = (atol·scale + rtol·|r_e|)/(1 − rtol) + err(r_e), and ⟨v, g − r⟩ is a sum of independent
// symmetric terms bounded by |v_e|·t_e, so Hoeffding gives
//   P(|⟨v, g − r⟩| > c·σ) ≤ 2·exp(−c²/2),   σ² = Σ v_e²·t_e²;
// we allow c·σ (c = 7: ≤ 5e-11 per direction) + the finite-difference error of D_v F + the
// rounding of ⟨v, r⟩. A claim off by Δ at a single element e gives |⟨v, g − r⟩| ≥ Δ/√m − c·σ,
// so one direction refutes it for certain once Δ > 2·c·σ·√m (≈ 14·√m·rms(t)); smaller
// single-element errors are caught by the element checks when tfjs flags that element.

/** Rademacher directions per claim and trial (only for `==`). */
export const DIRECTIONS = 2;
/** Hoeffding multiplier c: a claim that holds is refuted by one direction with probability ≤ 2·exp(−c²/2). */
export const DIRECTION_CONFIDENCE = 7;
/** Elements the tfjs world found worst that the reference differentiates one by one. */
export const HINTED_ELEMENTS = 16;
/**
 * Seeded elements the reference differentiates one by one, whatever tfjs says (for F = E over Q
 * in Q's own order, the gradient scale's SCALE_SAMPLE elements instead, already differentiated).
 */
export const SAMPLED_ELEMENTS = 16;

/** A direction check reported in the place of an element (`check: 'direction'`, no index). */
export interface DirectionReport extends ElementReport {
  check: 'direction';
  /** which of the DIRECTIONS seeded directions */
  direction: number;
}

export interface Coverage {
  /** elements the claim selects */
  elements: number;
  /** of those, differentiated one by one in this trial */
  checked: number;
  /** directional checks in this trial */
  directions: number;
}

export interface SampledGradientOutcome {
  /** sparse sides (`at`): the elements differentiated one by one, nothing else */
  sides: Sides;
  outcome: WorldOutcome;
  coverage: Coverage;
}

/** What a sampled check needs to know about the claim's lhs, or null when it does not apply. */
export interface LargeGradientLhs {
  F: Expr;
  symbol: string;
  /** flat position in Q of each flat position of the claim's free indices */
  toQ: (flat: number) => number;
  /** whether toQ is the identity (the claim's free indices in Q's own order) */
  identity?: boolean;
}

/**
 * `grad(F, Q)[i, j, …]` with F scalar (no free indices), every index a distinct variable, those
 * being all the claim's free indices, Q larger than LARGE_TENSOR and, for F = E, ∂E/∂Q not
 * computed in full, quantifier `all`: else null.
 */
export function largeGradientLhs(claim: CheckedClaim, world: ReferenceWorld, quantifier: 'all' | 'any'): LargeGradientLhs | null {
  const lhs = claim.lhs;
  if (quantifier !== 'all' || lhs.kind !== 'index' || lhs.base.kind !== 'call' || lhs.base.name !== 'grad') return null;
  const [F, Q] = lhs.base.args;
  if (Q.kind !== 'symbol' || (claim.freeVars.get(F) ?? ['?']).length > 0) return null;
  const q = world.env.get(Q.name);
  if (!q || q.data.length <= LARGE_TENSOR) return null;
  // ∂E/∂Q in full, by the chain rule: judged like any small claim
  if (F.kind === 'symbol' && F.name === 'E' && !claim.indexValues.has(F) && world.lossGradientInFull(Q.name)) return null;
  const names = (claim.indexForms.get(lhs) ?? []).map(plainVariable);
  const free = claim.freeIndices.map((f) => f.name);
  if (names.some((n) => n === null) || new Set(names).size !== names.length || names.length !== free.length) return null;
  if (!free.every((n) => names.includes(n))) return null;
  // side layout (free order) → Q layout (lhs index order)
  const sizes = claim.freeIndices.map((f) => f.size);
  const qStrides = new Array<number>(names.length);
  for (let a = names.length - 1, s = 1; a >= 0; a--) {
    qStrides[a] = s;
    s *= q.shape[a];
  }
  const strideOfFree = free.map((n) => qStrides[names.indexOf(n)]);
  const identity = free.every((n, i) => names[i] === n);
  const toQ = identity
    ? (flat: number) => flat
    : (flat: number) => {
        let out = 0;
        for (let a = sizes.length - 1; a >= 0; a--) {
          out += (flat % sizes[a]) * strideOfFree[a];
          flat = Math.floor(flat / sizes[a]);
        }
        return out;
      };
  return { F, symbol: Q.name, toQ, identity };
}

function maxAbsAt(values: Floats, at: Iterable<number> | Int32Array | null): number {
  let m = 0;
  if (at === null) return maxAbsFinite(values);
  if (at instanceof Int32Array) {
    for (let s = 0; s < at.length; s++) if (Number.isFinite(values[at[s]])) m = Math.max(m, Math.abs(values[at[s]]));
    return m;
  }
  for (const i of at) if (Number.isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** Runs the sampled check of one claim in the reference world of one trial. */
export function sampledGradientCheck(
  claim: CheckedClaim,
  plan: LargeGradientLhs,
  world: ReferenceWorld,
  run: { rel: Relation; tolerance: Tolerance; trialSeed: number; claimId: string; hinted: readonly number[] },
): SampledGradientOutcome {
  const evaluator = new FormulaEvaluator(claim, world);
  const vars = claim.freeIndices.map((f) => f.name);
  const sizes = claim.freeIndices.map((f) => f.size);
  const lay = (node: Expr) => {
    const t: Value64 = expandTo(world.algebra, evaluator.evaluate(node), vars, sizes);
    return { data: t.data, error: t.error ?? null };
  };
  // let go (null) once the directions have their projections of it, before their passes
  let rhs: { data: Floats; error: Float64Array | null } | null = lay(claim.rhs);
  memoryCheckpoint('reference rhs');
  const n = rhs.data.length;
  let where = claim.where ? lay(claim.where).data : null;
  // the selected elements' flat positions; null: every element (not laid out: n int32s)
  let selected: Int32Array | null = null;
  if (where) {
    let count = 0;
    for (let e = 0; e < n; e++) if (where[e] !== 0) count++;
    selected = new Int32Array(count);
    for (let e = 0, at = 0; e < n; e++) if (where[e] !== 0) selected[at++] = e;
  }
  const selectedCount = selected ? selected.length : n;

  const chosen = new Set<number>();
  for (const e of run.hinted) if (!where || where[e] !== 0) chosen.add(e);
  let largest = -1;
  for (let s = 0, top = -1; s < selectedCount; s++) {
    const e = selected ? selected[s] : s;
    const size = Math.abs(rhs!.data[e]);
    if (size > top || Number.isNaN(size)) [largest, top] = [e, Number.isNaN(size) ? Infinity : size];
  }
  if (largest >= 0) chosen.add(largest);
  // F = E: the world's own loss, of which a move computes only the part that moves
  const isLoss = plan.F.kind === 'symbol' && plan.F.name === 'E' && !claim.indexValues.has(plan.F);
  // ∂E/∂Q at Q's own elements: the seeded elements of the gradient scale and the agreement check
  // (SCALE_SAMPLE of them, drawn by the trial and Q's name), whose derivatives the world keeps
  const shared = isLoss && plan.identity === true && selected === null;
  const name = `${run.claimId}/${plan.symbol}`;
  const sample = shared ? seededSample(run.trialSeed, plan.symbol, n, SCALE_SAMPLE) : seededSample(run.trialSeed, `${name}/elements`, n, SAMPLED_ELEMENTS, selected ? Array.from(selected) : undefined);
  for (const e of sample) chosen.add(e);
  const f = isLoss ? ('loss' as const) : (env: Env64): number => evaluator.evaluate(plan.F, env as Map<string, Value64>).value.data[0];
  const derivative = (e: number) => (isLoss ? world.lossDerivativeAt(plan.symbol, plan.toQ(e)) : world.elementDerivative(plan.symbol, f, plan.toQ(e)));
  // sparse sides: only the chosen elements, in flat order (the order a dense comparison visits them)
  const at = Int32Array.from(chosen).sort();
  const m = at.length;
  const lhs = new Float64Array(m);
  const rhsAt = new Float64Array(m);
  const error = new Float64Array(m);
  let kink: Uint8Array | null = null;
  let forward: Float64Array | null = null;
  let backward: Float64Array | null = null;
  for (let k = 0; k < m; k++) {
    const e = at[k];
    const d = derivative(e);
    lhs[k] = d.value;
    rhsAt[k] = rhs!.data[e];
    error[k] = d.error + (rhs!.error?.[e] ?? 0);
    if (d.kink) {
      // not differentiable there (src/reference/kinks.ts): left unjudged, with its one-sided values
      kink ??= new Uint8Array(m);
      forward ??= new Float64Array(m);
      backward ??= new Float64Array(m);
      kink[k] = 1;
      forward[k] = d.kink.forward;
      backward[k] = d.kink.backward;
    }
  }
  // as in sidesOf: the lhs and the network's gradients set the scale, not the rhs
  const scale = Math.max(maxAbsAt(lhs, lhs.keys()), world.gradientScale());
  const oneSided = kink ? { forward: { lhs: forward!, rhs: rhsAt }, backward: { lhs: backward!, rhs: rhsAt } } : null;
  const sides: Sides = { vars, sizes, lhs, rhs: rhsAt, error, mask: null, at, scale, ...(kink ? { kink, oneSided } : {}) };
  const elements = compareSides(sides, run.rel, 'all', run.tolerance);
  memoryCheckpoint('reference elements');
  const coverage: Coverage = { elements: selectedCount, checked: chosen.size, directions: 0 };
  if (run.rel !== '==' || elements.outcome === 'error' || selectedCount === 0) return { sides, outcome: elements, coverage };

  // ⟨v, rhs⟩ of every direction first, its entries drawn one by one (no array): then the rhs is
  // let go, and the passes below hold one direction and no rhs
  const projections = Array.from({ length: DIRECTIONS }, (_, d) => projectRhs(rademacherEntries(run.trialSeed, `${name}/direction${d}`, selectedCount), rhs!, selected, scale, run.tolerance));
  // the rhs's arrays, made by the evaluator for this check alone, go back to the trial's pool:
  // the direction below takes them instead of new ones
  giveBack(rhs.data, rhs.error, where);
  rhs = null;
  where = null;
  const directions: DirectionReport[] = [];
  // directions whose finite-difference estimate, not well below their allowance, decides them
  const imprecise: { direction: number; estimate: number; tolerance: number }[] = [];
  let kinkedDirections = 0;
  // one array for every direction (from the trial's pool, given back at the end); when the
  // claim's layout is Q's own, v is its own vQ
  const qLength = world.env.get(plan.symbol)!.data.length;
  const identity = plan.identity === true && n === qLength;
  let v: Float64Array | undefined;
  let vQ: Float64Array | undefined;
  for (let d = 0; d < DIRECTIONS; d++) {
    v = rademacher(run.trialSeed, `${name}/direction${d}`, n, selected, v ?? float64Array(n));
    if (identity) vQ = v;
    else {
      vQ = (vQ ?? float64Array(qLength)).fill(0);
      for (let s = 0; s < selectedCount; s++) {
        const e = selected ? selected[s] : s;
        vQ[plan.toQ(e)] = v[e];
      }
    }
    memoryCheckpoint(`direction ${d} drawn`);
    const derivative = world.directionalDerivative(plan.symbol, f, vQ);
    memoryCheckpoint(`direction ${d} taken`);
    // a line through a kink at t = 0 has no directional derivative to compare: counted, not judged
    if (derivative.kink) kinkedDirections++;
    else {
      const { report, tolerance, imprecise: unjudged } = checkDirection(d, derivative, projections[d]);
      if (unjudged) imprecise.push({ direction: d, estimate: derivative.error, tolerance });
      else directions.push(report);
    }
  }
  giveBack(v, vQ);
  coverage.directions = directions.length;
  const failing = directions.filter((r) => !r.passes).length;
  let worst: ElementReport | null = elements.worst;
  for (const r of directions) if (worst === null || r.excess > worst.excess || Number.isNaN(r.excess)) worst = r;
  const kinks = kinkedDirections === 0 ? elements.kinks : { ...(elements.kinks ?? { flat: -1, index: [] }), count: (elements.kinks?.count ?? 0) + kinkedDirections };
  const outcome: WorldOutcome = {
    ...elements,
    ...(kinks ? { kinks } : {}),
    outcome: elements.outcome === 'refuted' || failing > 0 ? 'refuted' : 'holds',
    worst,
    failing: elements.failing + failing,
  };
  if (directions.some((r) => !Number.isFinite(r.lhs) || !Number.isFinite(r.rhs))) {
    return { sides, outcome: { ...outcome, outcome: 'error', message: 'a directional derivative or ⟨v, rhs⟩ is not finite' }, coverage };
  }
  // an infinite allowance would pass anything (as compareSides says of elements)
  if (directions.some((r) => !Number.isFinite(r.allowed))) {
    return { sides, outcome: { ...outcome, outcome: 'error', message: 'the allowance of a direction is not finite (its finite-difference error estimate is not)' }, coverage };
  }
  if (outcome.outcome === 'holds' && imprecise.length > 0) {
    const [first] = imprecise;
    const message = `the reference's finite differences along direction ${first.direction} are not precise enough: error estimate ${first.estimate.toPrecision(3)} vs allowance ${first.tolerance.toPrecision(3)}`;
    return { sides, outcome: { ...outcome, outcome: 'error', message }, coverage };
  }
  return { sides, outcome, coverage };
}

/** ⟨v, rhs⟩ of one direction and what its allowance needs, v's entries drawn in support order. */
export interface Projection {
  projected: number;
  /** Σ|v_e·r_e|, for the rounding of the sum */
  magnitude: number;
  /** σ² = Σ v_e²·t_e² (the allowance derived above) */
  variance: number;
  /** the direction's support size */
  m: number;
}

function projectRhs(entry: () => number, rhs: { data: Floats; error: Float64Array | null }, selected: Int32Array | null, scale: number, tol: Tolerance): Projection {
  let projected = 0;
  let magnitude = 0;
  let variance = 0;
  const rhsError = rhs.error;
  const m = selected ? selected.length : rhs.data.length;
  for (let s = 0; s < m; s++) {
    const e = selected ? selected[s] : s;
    const ve = entry();
    const r = rhs.data[e];
    projected += ve * r;
    magnitude += Math.abs(ve * r);
    // the allowance of tolerances.ts for an element whose true value is within it of r
    const t = (tol.atol * scale + tol.rtol * Math.abs(r)) / (1 - tol.rtol) + (rhsError ? rhsError[e] : 0);
    variance += ve * ve * t * t;
  }
  return { projected, magnitude, variance, m };
}

/**
 * D_v F against ⟨v, rhs⟩ with the allowance derived above; `tolerance` is that allowance without
 * the finite-difference error of D_v F. `imprecise`: that error, more than ESTIMATE_SHARE of the
 * tolerance, decides the direction (passes it, or fails it, where the tolerance alone would not):
 * as compareSides does for elements, such a direction is not judged (DESIGN §3: finite
 * differences precise to well below the tolerance).
 */
export function checkDirection(d: number, derivative: { value: number; error: number }, p: Projection): { report: DirectionReport; tolerance: number; imprecise: boolean } {
  // rounding of a sum of m products: γ_m·Σ|v_e r_e| with γ_m = m·u/(1 − m·u), u = ε/2
  const u = Number.EPSILON / 2;
  const rounding = ((p.m * u) / (1 - p.m * u)) * p.magnitude;
  const tolerance = DIRECTION_CONFIDENCE * Math.sqrt(p.variance) + rounding;
  const allowed = tolerance + derivative.error;
  const difference = derivative.value - p.projected;
  const excess = Math.abs(difference) - allowed;
  const report: DirectionReport = {
    flat: -1,
    index: [],
    lhs: derivative.value,
    rhs: p.projected,
    difference,
    allowed,
    excess: allowed > 0 ? excess / allowed : excess > 0 ? Infinity : 0,
    passes: Math.abs(difference) <= allowed,
    check: 'direction',
    direction: d,
  };
  const decides = report.passes !== Math.abs(difference) <= tolerance;
  return { report, tolerance, imprecise: derivative.error > ESTIMATE_SHARE * tolerance && decides };
}
