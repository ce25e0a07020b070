import { float64Array, giveBack } from '../foundation/arrayPool';
import { oneSided, ridders, type CountedEstimate } from './finiteDifferences';

// The reference world's derivative of t ↦ f(t) at 0 when f may not be smooth there: a ReLU or
// |·| kink at the point or within the finite-difference step, or a singularity (log o for a tiny
// o) closer than the step. Ridders' central differences come first; an element whose result
// looks wrong (non-finite, an error estimate far above what smooth functions give, or a second
// difference that does not shrink with h, the mark of a kink at t = 0) is examined with
// one-sided differences, retrying from much smaller steps:
//   forward ≈ backward ≈ central  → smooth after all: central stands (its error unchanged);
//   forward ≈ backward ≠ central  → a kink or singularity within the step: retry smaller;
//   forward ≠ backward at the smallest step → the point itself is a kink: flagged, never judged.
// Smooth elements cost one call of f more than Ridders alone (f(0)).
//
// A kink inside the step but not at the point can fool that examination: central differences
// whose stencil ±h straddles it are wrong by O(jump·(h − d)²/h), and Ridders' extrapolation over
// rows that straddle and rows that do not can return a wrong value with a small error estimate
// (a tanh-tanh-relu network, σ = 3: 4.2e-4 off, 217× its estimate; spec/reference/kinkCrossing.spec.ts).
// So a caller that knows where f's kinks are passes `crossed`: after each call of f it says
// whether some kinked function's input (a relu layer's net, a formula's relu/abs/step or
// comparison) is on another side of its kink than at t = 0. The kinks of a network are exactly
// there (elsewhere f is smooth), so a stencil whose ends are on the same sides as t = 0 does not
// straddle one (unless an input crosses and comes back within the step). Before Ridders runs,
// the start step is halved until neither end crosses, or, where the caller says how far along
// the probe the first input crossed (`crossingAt`: inputs moving in straight lines, as a relu
// layer's net does along net + t·1), taken to half that distance at once; a crossing left at
// the smallest step (KINK_AT_POINT) is a kink at the point, or closer than any usable step: the
// ladder then runs as without `crossed`, and the examination above flags it. With no crossing
// at the first step, nothing changes: the same calls of f, the same numbers (the probes are
// Ridders' first row).

/** Initial Ridders step for an element of value q: large enough to keep rounding far below the result. */
export function initialStep(q: number): number {
  return 1e-2 * Math.max(1, Math.abs(q));
}

/** Error estimate above this fraction of the derivative's size is examined (smooth elements: ~1e-11). */
export const SUSPICIOUS = 1e-7;
/** Rounding in f: an error estimate or second difference below this many ε·|f(0)|/h is noise, not a kink. */
const ROUNDING = 1e4 * Number.EPSILON;
/** Sides and central agree when within this many times their summed error estimates (plus 1e-8 relative). */
const AGREE = 4;
const AGREE_RELATIVE = 1e-8;

/** Below this a step proportional to q is lost in rounding of f (ε·|f|/h swamps any derivative). */
const MIN_PROPORTIONAL = 1e-12;

/**
 * Starting steps tried, largest first: initialStep(q), then 100× and 10⁴× smaller, and for |q| ≪ 1
 * a step 1e-2·|q| (a singularity at 0, as log(o) has, is |q| away). Apart from that one, the
 * smallest start, 1e-6·max(1, |q|), ends Ridders' tableau near 5e-8: any closer kink counts as at
 * the point, and smaller steps would be rounding-dominated for a function of size ~1.
 */
export function stepLadder(q: number): number[] {
  const s0 = initialStep(q);
  const rungs = [s0, s0 * 1e-2, s0 * 1e-4];
  const proportional = 1e-2 * Math.abs(q);
  if (proportional >= MIN_PROPORTIONAL && proportional < rungs[0] / 4 && rungs.every((r) => Math.abs(Math.log(r / proportional)) > Math.log(4))) rungs.push(proportional);
  return rungs.sort((a, b) => b - a);
}

/**
 * A crossing left at this fraction of the first step counts as a kink at the point: 1e-4, the
 * smallest rung of stepLadder (below it a step is rounding-dominated for f of size ~1).
 */
export const KINK_AT_POINT = 1e-4;

/** Side of its kink (at 0) an input is on: −1, 0 or 1 (NaN: 0); without a branch (src/foundation/branchless.ts). */
export function sideOf(z: number): number {
  return +(z > 0) - +(z < 0);
}

/**
 * Records, over the calls of f along one move, on which side of its kink each input of a kinked
 * function is, in call order: the call at t = 0 is the reference (`begin(true)`), each later
 * call is compared with it element by element (`begin(false)`). For kinks that f's caller cannot
 * see from outside: formula functions (src/reference/world64.ts wraps the formula algebra).
 */
export class SideRecorder {
  /** whether inputs seen now are recorded or compared (false between calls of f) */
  active = false;
  private base: Int8Array[] = [];
  /** the inputs' values at t = 0, for where a crossing happened */
  private baseValues: Float64Array[] = [];
  private reference = false;
  private at = 0;
  private changed = false;
  /** the smallest such fraction over the inputs that crossed, and whether one crossed in a way that gives none */
  private fraction = 1;
  private unknown = false;

  begin(reference: boolean): void {
    this.active = true;
    this.reference = reference;
    this.at = 0;
    this.changed = false;
    this.fraction = 1;
    this.unknown = false;
    if (reference) {
      this.base = [];
      this.baseValues = [];
    }
  }

  end(): void {
    this.active = false;
  }

  /** inputs of one kinked function, as it is called during this call of f */
  see(inputs: ArrayLike<number>): void {
    if (!this.active) return;
    if (this.reference) {
      const sides = new Int8Array(inputs.length);
      for (let i = 0; i < sides.length; i++) sides[i] = sideOf(inputs[i]);
      this.base.push(sides);
      this.baseValues.push(Float64Array.from(inputs));
      return;
    }
    const at = this.at++;
    const sides = this.base[at];
    if (!sides || sides.length !== inputs.length) {
      this.changed = true;
      this.unknown = true;
      return;
    }
    const values = this.baseValues[at];
    for (let i = 0; i < sides.length; i++) {
      if (sideOf(inputs[i]) === sides[i]) continue;
      this.changed = true;
      // an input that went from one sign to the other reaches 0 at s·t, moving in a straight
      // line; one that left or reached 0 itself (a comparison's 0/1 result) says nothing of where
      const [v0, v] = [values[i], inputs[i]];
      if (v0 !== 0 && v !== 0 && v0 > 0 !== v > 0) this.fraction = Math.min(this.fraction, v0 / (v0 - v));
      else this.unknown = true;
    }
  }

  /** after a call of f other than the reference: some input was on another side (or the calls differed) */
  crossed(): boolean {
    return this.changed || (!this.reference && this.at !== this.base.length);
  }

  /**
   * after a call that crossed: the fraction of its t (0–1) at which the first input reached its
   * kink, were every input moving in a straight line from t = 0; 1 where that is not known (an
   * input that started or ended at its kink, or calls that differ)
   */
  crossingAt(): number {
    return this.changed && !this.unknown ? this.fraction : 1;
  }
}

export interface KinkAwareEstimate extends CountedEstimate {
  /** 1 where t = 0 is a kink of that component (one-sided derivatives differ); null when none is */
  kink: Uint8Array | null;
  /** the one-sided derivatives, present with `kink` (equal to `value` where no kink) */
  forward?: Float64Array;
  backward?: Float64Array;
}

export interface DerivativeOptions {
  /**
   * f's values are taken to be at least this large when telling rounding from signal
   * (RiddersOptions.magnitude).
   */
  magnitude?: number;
  /** Rows of each Ridders tableau (RiddersOptions.maxIterations; default DEFAULT_MAX_ITERATIONS). */
  rows?: number;
  /**
   * Called right after each call of f at t ≠ 0: whether some input of a kinked function inside f
   * was on another side of its kink than at t = 0 (then the step straddles a kink). Without it,
   * a kink inside the first step is left to the examination by one-sided differences.
   */
  crossed?: () => boolean;
  /**
   * After a call that crossed: the fraction (0–1) of its t at which the first input reached its
   * kink, were the inputs moving in straight lines (SideRecorder.crossingAt). The next start step
   * tried is half that far, where without it each is half the last.
   */
  crossingAt?: () => number;
}

/** The two smallest steps ±h the calls recorded, as [h, f(h), f(−h)], smallest first. */
function smallestPairs(calls: Map<number, Float64Array>): [number, Float64Array, Float64Array][] {
  const steps = [...calls.keys()].filter((t) => t > 0 && calls.has(-t)).sort((a, b) => a - b);
  return steps.slice(0, 2).map((h) => [h, calls.get(h)!, calls.get(-h)!]);
}

/** |f(h) + f(−h) − 2f(0)| / h at component c, for a pair [h, f(h), f(−h)]. */
function secondAt([h, plus, minus]: [number, Float64Array, Float64Array], c: number, f0: Float64Array): number {
  return Math.abs(plus[c] + minus[c] - 2 * f0[c]) / h;
}

/**
 * d/dt f(t) at t = 0, kink-aware (see the top of this file). `q` is the value being moved (it sets
 * the steps). Non-finite only where f is non-finite at every step tried down to the smallest.
 */
export function derivative64(f: (t: number) => Float64Array, q: number, options: DerivativeOptions = {}): KinkAwareEstimate {
  // f's values are taken to be at least this large when telling rounding from signal (RiddersOptions.magnitude)
  const magnitude = options.magnitude ?? 0;
  let evaluations = 0;
  // f(±h) of the start step found by the crossing probes: Ridders' first row, not computed again
  const probes = new Map<number, Float64Array>();
  // every copy of f's values made here: from the trial's pool when large, given back at the end
  const copies = new Set<Float64Array>();
  const copyOf = (values: Float64Array): Float64Array => {
    const copy = float64Array(values.length);
    copy.set(values);
    copies.add(copy);
    return copy;
  };
  const release = (copy: Float64Array | undefined): void => {
    if (copy === undefined || !copies.delete(copy)) return;
    giveBack(copy);
  };
  const call = (t: number): Float64Array => {
    const kept = probes.get(t);
    if (kept) {
      probes.delete(t);
      return kept;
    }
    evaluations++;
    return copyOf(f(t)); // f may reuse its output buffer
  };
  const f0 = call(0);
  const size = f0.length;
  // from the trial's pool when large: a caller that only copies them may give them back
  const value = float64Array(size).fill(NaN);
  const error = float64Array(size).fill(NaN);
  let kink: Uint8Array | null = null;
  let forward: Float64Array | undefined;
  let backward: Float64Array | undefined;
  let rungs = stepLadder(q);
  const crossed = options.crossed;
  if (crossed) {
    // the step to try after a probe at h that crossed: half as far as its crossing, at most h/2
    let shrink = 0.5;
    // f(±h), kept for the first rung when neither call had a kinked input on another side than at t = 0
    const clean = (h: number): boolean => {
      for (const t of [h, -h]) {
        evaluations++;
        const v = copyOf(f(t));
        if (crossed()) {
          probes.delete(h);
          shrink = Math.min(0.5, 0.5 * (options.crossingAt?.() ?? 1));
          return false;
        }
        probes.set(t, v);
      }
      return true;
    };
    const first = rungs[0];
    const smallest = first * KINK_AT_POINT;
    // a crossing at the first step: unless it is left at the smallest (a kink at the point, which
    // the ladder as it is flags), start at the largest step tried that crosses none: first/2,
    // first/4, … or, where the crossing says how far, half of that each time
    const firstClean = clean(first);
    const afterFirst = shrink;
    if (!firstClean && clean(smallest)) {
      let h = first * afterFirst;
      while (h > smallest && !clean(h)) h *= shrink;
      const start = Math.max(h, smallest);
      rungs = [start, ...rungs.filter((r) => r < start / 2)];
    }
  }
  let pending = Array.from({ length: size }, (_, c) => c);
  for (let r = 0; r < rungs.length && pending.length > 0; r++) {
    const last = r === rungs.length - 1;
    // the two smallest pairs ±h so far (smallestPairs reads no others; steps only shrink)
    const calls = new Map<number, Float64Array>();
    const central = ridders(
      (t) => {
        const v = call(t);
        calls.set(t, v);
        if (calls.size > 4) {
          // the pair of an earlier row, which nothing reads any more
          const largest = Math.max(...[...calls.keys()].map(Math.abs));
          for (const t of [largest, -largest]) {
            release(calls.get(t));
            calls.delete(t);
          }
        }
        return v;
      },
      rungs[r],
      // call's arrays are copies of f's
      { magnitude, fresh: true, ...(options.rows !== undefined ? { maxIterations: options.rows } : {}) },
    );
    let scale = 0;
    for (let c = 0; c < size; c++) if (Number.isFinite(central.value[c])) scale = Math.max(scale, Math.abs(central.value[c]));
    const pairs = smallestPairs(calls);
    const examine: number[] = [];
    const suspicious = new Set<number>();
    for (const c of pending) {
      const v = central.value[c];
      const smallest = pairs.length > 0 ? pairs[0][0] : rungs[r];
      const noise = (ROUNDING * Math.max(Math.abs(f0[c]), magnitude)) / smallest;
      const threshold = SUSPICIOUS * (Math.abs(v) + scale) + noise;
      // a kink at 0 makes (f(h) + f(−h) − 2f(0)) / h constant in h; a smooth f makes it ∝ h
      // (numbers, not an array per component: this loop runs over every output of a slope run)
      const second = pairs.length === 2 ? secondAt(pairs[0], c, f0) : 0;
      const kinkLike = pairs.length === 2 && second > threshold && second >= 0.9 * secondAt(pairs[1], c, f0);
      const uncertain = !Number.isFinite(v) || !(central.error[c] <= threshold);
      if (uncertain) suspicious.add(c);
      if (uncertain || kinkLike) examine.push(c);
      else {
        value[c] = v;
        error[c] = central.error[c];
      }
    }
    if (examine.length === 0) {
      giveBack(central.value, central.error);
      break;
    }
    const sides = oneSided(call, rungs[r], { f0, magnitude });
    const unresolved: number[] = [];
    for (const c of examine) {
      const fw = sides.forward.value[c];
      const bw = sides.backward.value[c];
      const within = AGREE * (sides.forward.error[c] + sides.backward.error[c]) + AGREE_RELATIVE * (Math.abs(fw) + Math.abs(bw));
      const mean = (fw + bw) / 2;
      const spread = Math.abs(fw - bw);
      if (!Number.isFinite(fw) || !Number.isFinite(bw)) {
        // one side leaves f's domain at this step: a smaller one may not
        if (last) [value[c], error[c]] = [central.value[c], central.error[c]];
        else unresolved.push(c);
      } else if (spread > within) {
        if (!last) {
          unresolved.push(c); // a kink within the step, or at the point: smaller steps tell
          continue;
        }
        kink ??= new Uint8Array(size);
        forward ??= new Float64Array(size);
        backward ??= new Float64Array(size);
        kink[c] = 1;
        forward[c] = fw;
        backward[c] = bw;
        value[c] = mean;
        error[c] = spread / 2 + sides.forward.error[c] + sides.backward.error[c];
      } else if (Math.abs(central.value[c] - mean) <= within + spread && (!suspicious.has(c) || last)) {
        // smooth after all: the central estimate stands (a suspicious one only at the last step)
        value[c] = central.value[c];
        error[c] = Math.max(central.error[c], Math.abs(central.value[c] - mean));
      } else if (last) {
        value[c] = mean;
        error[c] = spread / 2 + sides.forward.error[c] + sides.backward.error[c];
      } else unresolved.push(c); // the sides agree but the central estimate is off: a kink or singularity within the step
    }
    pending = unresolved;
    // this rung's estimates are read: their arrays go back to the trial's pool (when it issued them)
    giveBack(central.value, central.error, sides.forward.value, sides.forward.error, sides.backward.value, sides.backward.error);
  }
  giveBack(...copies);
  copies.clear();
  if (kink) {
    for (let c = 0; c < size; c++) {
      if (kink[c]) continue;
      forward![c] = value[c];
      backward![c] = value[c];
    }
    return { value, error, kink, forward, backward, evaluations };
  }
  return { value, error, kink: null, evaluations };
}
