// The reference world's numerical derivative: d/dt f(t) at t = 0 for a vector-valued f, by
// difference quotients extrapolated to h → 0 (Ridders' method, Numerical Recipes `dfridr`,
// run once per component over shared evaluations of f). Each component also gets an error
// estimate that the caller adds to its tolerance, so finite-difference noise never refutes
// an exact zero.
//
// The caller builds f(t) = F(q + t) for one parameter element q. Rounding makes the step
// actually taken (q + t) − q, not t; with t ≈ 1e-2·max(1, |q|) that costs ~1e-14 relative.

import { float64Array, giveBack } from '../foundation/arrayPool';

export interface DerivativeEstimate {
  value: Float64Array;
  error: Float64Array;
}

/** A derivative estimate plus the number of calls of f it cost. */
export interface CountedEstimate extends DerivativeEstimate {
  evaluations: number;
}

export interface RiddersOptions {
  /** Rows of the tableau, i.e. step sizes tried; each costs 2 calls of f. Default 10. */
  maxIterations?: number;
  /**
   * Relative rounding noise of each f value (default 16·ε ≈ 3.6e-15), propagated through the
   * tableau into the error estimate. Raise it for f that lose more digits than a few ulps.
   */
  relativeNoise?: number;
  /**
   * Size below which an f value is not taken when bounding its rounding (default 0): for an f
   * computed from numbers larger than itself, whose rounding is relativeNoise times those, not
   * times f (a confident row's loss −log o ≈ 1e-9 is log(1 + 1e-9), rounded to ε, not to 1e-9·ε).
   */
  magnitude?: number;
  /** f returns an array of its own at every call (not reused): taken without a copy */
  fresh?: boolean;
}

export interface OneSidedOptions extends RiddersOptions {
  /** f(0), if the caller already has it; saves one call of f. */
  f0?: Float64Array;
}

export interface OneSidedEstimate {
  /** lim h→0⁺ (f(h) − f(0)) / h */
  forward: DerivativeEstimate;
  /** lim h→0⁺ (f(0) − f(−h)) / h */
  backward: DerivativeEstimate;
  /** Calls of f for both sides together (f(0) counted once, and not at all when supplied). */
  evaluations: number;
}

/** Step shrink factor between tableau rows (Numerical Recipes' CON). */
export const SHRINK = 1.4;
/** Stop a component once the diagonal moves by more than SAFE × its best error estimate. */
const SAFE = 2;
/**
 * Rows (step sizes) a component needs before that stop is trusted, unless its tableau agrees
 * exactly. Central: as in Numerical Recipes. One-sided: the h¹ series converges slowly, and
 * stopping after 2–7 rows at steps of ~0.3/curvature returned errors up to 3e-2 with estimates
 * 4000× too small; from 8 rows on the worst was 6e-10 (100k random sin/exp/sigmoid/softplus).
 */
const CENTRAL_MIN_ROWS = 2;
const ONE_SIDED_MIN_ROWS = 8;
export const DEFAULT_MAX_ITERATIONS = 10;
/**
 * Rows of a run whose outputs are each a function of one moving input (or one row of E): a slope
 * run through an elementwise reader, a column run (world64.ts, colouredGradient64.ts). Such
 * outputs converge well before 10 rows; a run went on to 10 only because some of its hundreds or
 * thousands of outputs had not met the stopping rule. Over ∂E/∂net2 of a 784-512-10 softmax
 * cross-entropy (640 outputs), 6 rows gave the same worst error as 10 (8e-12 relative) with
 * estimates still above it. `npm run measure:slope-rows` measures slope runs of 16384 inputs of
 * every smooth function of the formula table and a few built from them, at four spreads. Every
 * worst error above 1e-9 of the derivative is the same at 4, 5, 6 and 10 rows, and so is its
 * ratio to the estimate; below that, 4–6 rows leave up to 7e-10 where 10 rows reach 1e-13–5e-10
 * (1/x, log, sqrt), covered by the estimates but for log's at 5 and 6 rows (1.2×). With 4 rows
 * up to 240× more elements fail `trusted` and are differentiated again by themselves (x·σ(x),
 * σ(1 − σ), tanh far out); with 5 and 6 about as many as with 10. 6 is kept: 5 measured no
 * faster at 784-512-10 (median of 3 processes), and 4's saving there (7–11%) would be lost many
 * times over on saturated pre-activations. Also measured: stopping after 4 rows only where every
 * output is trusted by then. Column runs stopped so left ∂E/∂o of a shipped sigmoid
 * cross-entropy claim 11× less precise (3.3e-10 relative, its estimate 0.77 of the tolerance;
 * `npm run measure:tolerances`), and slope runs alone gained nothing measurable at 784-512-10.
 * An output whose estimate is not trusted is differentiated again by itself, with every row.
 */
export const MANY_OUTPUT_ROWS = 6;
// 16ε: 4ε left the estimate up to 16× short for sin of arguments ~40 (rounding in f itself).
const DEFAULT_RELATIVE_NOISE = 16 * Number.EPSILON;

/** Most calls of f that `ridders` (2 per row) or `oneSided` (f(0) + 2 per row) can make. */
export function maxEvaluations(method: 'ridders' | 'oneSided', maxIterations = DEFAULT_MAX_ITERATIONS): number {
  return method === 'ridders' ? 2 * maxIterations : 1 + 2 * maxIterations;
}

/**
 * Derivative at t=0 of t ↦ f(t) (f returns a vector of fixed length), by central differences with
 * Richardson extrapolation (Ridders' method: Neville tableau, step shrink factor 1.4, stop when the
 * error grows; keep per-component best value and error). `step` is the initial step (caller passes
 * something like 1e-2 * max(1, |q|)). Calls f 2 to 2·maxIterations times, at ±h for shrinking h,
 * never at 0. A component that is non-finite at the smallest steps tried comes back NaN.
 */
export function ridders(f: (t: number) => Float64Array, step: number, options: RiddersOptions = {}): CountedEstimate {
  const maxIterations = checkArguments('ridders', step, options);
  const noise = options.relativeNoise ?? DEFAULT_RELATIVE_NOISE;
  const floor = options.magnitude ?? 0;
  let evaluations = 0;
  let size = -1;
  // Central quotient: error series in h², so each extrapolation level removes one power of h².
  const tableau = new Tableau(SHRINK * SHRINK, CENTRAL_MIN_ROWS, maxIterations);
  let quotient: Float64Array = new Float64Array(0);
  let quotientNoise: Float64Array = new Float64Array(0);
  for (let row = 0, h = step; row < maxIterations && !tableau.allDone(); row++, h /= SHRINK) {
    const plus = options.fresh ? f(h) : f(h).slice(); // copy: f may reuse its output buffer
    const minus = f(-h);
    evaluations += 2;
    size = checkSize('ridders', size, plus.length, minus.length);
    // the tableau copies what it keeps: one pair of arrays for every row
    if (quotient.length !== size) [quotient, quotientNoise] = [float64Array(size), float64Array(size)];
    for (let c = 0; c < size; c++) {
      quotient[c] = (plus[c] - minus[c]) / (2 * h);
      quotientNoise[c] = (noise * (Math.max(Math.abs(plus[c]), floor) + Math.max(Math.abs(minus[c]), floor))) / (2 * h);
    }
    tableau.addRow(quotient, quotientNoise);
  }
  const result = tableau.result();
  giveBack(quotient, quotientNoise);
  tableau.release();
  return { ...result, evaluations };
}

/**
 * Kink detection support: one-sided derivatives (forward and backward, each extrapolated like
 * `ridders`, with levels removing h¹, h², … since a one-sided quotient has all powers of h).
 * Calls f(0) once unless `options.f0` is given, then f(h) and f(−h) per row while that side has
 * components still converging: at most 1 + 2·maxIterations calls. Less accurate than `ridders`
 * (about 1e-9 relative rather than 1e-12): use it to tell sides apart, not for the value.
 */
export function oneSided(f: (t: number) => Float64Array, step: number, options: OneSidedOptions = {}): OneSidedEstimate {
  const maxIterations = checkArguments('oneSided', step, options);
  const noise = options.relativeNoise ?? DEFAULT_RELATIVE_NOISE;
  const floor = options.magnitude ?? 0;
  let evaluations = 0;
  let f0 = options.f0;
  if (f0 === undefined) {
    f0 = f(0).slice();
    evaluations++;
  }
  const centre = f0;
  const size = centre.length;
  const sides = [
    { sign: 1, tableau: new Tableau(SHRINK, ONE_SIDED_MIN_ROWS, maxIterations) },
    { sign: -1, tableau: new Tableau(SHRINK, ONE_SIDED_MIN_ROWS, maxIterations) },
  ];
  // the tableaux copy what they keep: one pair of arrays for every row
  const quotient = float64Array(size);
  const quotientNoise = float64Array(size);
  for (const { sign, tableau } of sides) {
    for (let row = 0, h = step; row < maxIterations && !tableau.allDone(); row++, h /= SHRINK) {
      const value = f(sign * h);
      evaluations++;
      checkSize('oneSided', size, value.length, value.length);
      for (let c = 0; c < size; c++) {
        quotient[c] = (sign * (value[c] - centre[c])) / h;
        quotientNoise[c] = (noise * (Math.max(Math.abs(value[c]), floor) + Math.max(Math.abs(centre[c]), floor))) / h;
      }
      tableau.addRow(quotient, quotientNoise);
    }
  }
  const [forward, backward] = sides.map(({ tableau }) => tableau.result());
  giveBack(quotient, quotientNoise);
  for (const { tableau } of sides) tableau.release();
  return { forward, backward, evaluations };
}

/**
 * Ridders' Neville tableau of every component, fed one row (one step size) at a time.
 * Row i holds the quotient at h_i = step / SHRINK^i and its extrapolations; entry j of row i
 * combines rows i−j..i and cancels the first j error terms. Alongside each entry runs a bound
 * on the rounding noise it carries (the extrapolation weights amplify the quotients' noise).
 * Only the last row is kept, and each new row is written over it: a few hundred bytes per
 * component, none allocated per row. Each component's numbers lie together (`cells`: its best
 * value, error and noise, then entry j of its last row and that entry's noise), so a row reads
 * a component's few numbers from one or two cache lines (in one array per entry, each a
 * component's length and 16 KB apart at 2048 components, entry j of a component would fall in
 * the same set of the first-level cache for every j, more of them than the set holds). Room for
 * every row the run may take is made at the start. Its array comes from the trial's pool when
 * large, and goes back to it once the result is read.
 */
class Tableau {
  private rows = 0;
  private size = -1;
  private finished = 0;
  /** numbers per component: best value, best error, best noise, then (entry, noise) per row */
  private readonly stride: number;
  private cells!: Float64Array;
  /** per component: entries in its last row (0 after a restart), done, last row finite */
  private length!: Uint16Array;
  private done!: Uint8Array;
  private lastRowFinite!: Uint8Array;

  constructor(
    private readonly ratio: number,
    private readonly minRows: number,
    maxRows: number,
  ) {
    this.stride = BEST_CELLS + 2 * maxRows;
  }

  private start(size: number): void {
    this.size = size;
    this.length = new Uint16Array(size);
    this.done = new Uint8Array(size);
    this.lastRowFinite = new Uint8Array(size).fill(1);
    this.cells = float64Array(size * this.stride);
    // best value NaN and its error Infinity until two rows agree
    for (let at = 0; at < this.cells.length; at += this.stride) {
      this.cells[at] = NaN;
      this.cells[at + 1] = Infinity;
    }
  }

  addRow(quotient: Float64Array, quotientNoise: Float64Array): void {
    if (this.size < 0) this.start(quotient.length);
    this.rows++;
    if (BEST_CELLS + 2 * this.rows > this.stride) throw new Error(`Tableau: more rows than the ${(this.stride - BEST_CELLS) / 2} it was made for`);
    const { cells, stride, length, done, ratio } = this;
    for (let c = 0, base = 0; c < this.size; c++, base += stride) {
      if (done[c]) continue;
      const q = quotient[c];
      if (!Number.isFinite(q)) {
        // Restart: rows at larger steps may have left f's domain; only a non-finite value at the
        // smallest step tried makes the result NaN (see result()).
        this.lastRowFinite[c] = 0;
        length[c] = 0;
        cells[base] = NaN;
        cells[base + 1] = Infinity;
        cells[base + 2] = 0;
        continue;
      }
      this.lastRowFinite[c] = 1;
      const previous = length[c];
      if (previous === 0) {
        cells[base] = q;
        cells[base + 2] = quotientNoise[c];
      }
      // current[j] from current[j − 1] and the previous row's entry j − 1, which current[j − 1]
      // then takes the place of
      let current = q;
      let currentNoise = quotientNoise[c];
      let before = 0;
      let factor = ratio;
      for (let j = 1, entry = base + BEST_CELLS; j <= previous; j++, entry += 2) {
        before = cells[entry];
        const beforeNoise = cells[entry + 1];
        cells[entry] = current;
        cells[entry + 1] = currentNoise;
        const next = (current * factor - before) / (factor - 1);
        currentNoise = (currentNoise * factor + beforeNoise) / (factor - 1);
        factor *= ratio;
        const error = Math.max(Math.abs(next - current), Math.abs(next - before));
        current = next;
        if (error <= cells[base + 1]) {
          cells[base + 1] = error;
          cells[base] = current;
          cells[base + 2] = currentNoise;
        }
      }
      cells[base + BEST_CELLS + 2 * previous] = current;
      cells[base + BEST_CELLS + 2 * previous + 1] = currentNoise;
      length[c] = previous + 1;
      // Higher order got worse than the best so far by a wide margin: rounding has taken over
      // (or, at large steps, the series has not settled yet: hence minRows before trusting it).
      // `before` is the previous row's last entry, `current` this row's.
      if (previous > 0 && Math.abs(current - before) >= SAFE * cells[base + 1] && (cells[base + 1] === 0 || previous + 1 >= this.minRows)) {
        done[c] = 1;
        this.finished++;
      }
    }
  }

  /** Gives the tableau's array back to the trial's pool (arrayPool.ts): read result() first. */
  release(): void {
    if (this.size < 0) return;
    giveBack(this.cells);
    this.size = -1;
  }

  allDone(): boolean {
    return this.rows > 0 && this.finished === this.size;
  }

  /** Per component the best value and its error; NaN for both when the smallest step tried gave a non-finite quotient. */
  result(): DerivativeEstimate {
    const size = Math.max(this.size, 0);
    const value = float64Array(size);
    const error = float64Array(size);
    const { cells, stride } = this;
    for (let c = 0, base = 0; c < size; c++, base += stride) {
      if (!this.lastRowFinite[c] || Number.isNaN(cells[base])) {
        value[c] = NaN;
        error[c] = NaN;
      } else {
        value[c] = cells[base];
        error[c] = cells[base + 1] + cells[base + 2];
      }
    }
    return { value, error };
  }
}

/** A component's best value, its tableau error and its noise, ahead of its entries in Tableau's cells. */
const BEST_CELLS = 3;

function checkArguments(method: string, step: number, options: RiddersOptions): number {
  if (!(Number.isFinite(step) && step > 0)) {
    throw new RangeError(`Argument 'step' passed to '${method}' must be a finite positive number, got ${step}`);
  }
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) {
    throw new RangeError(`Option 'maxIterations' passed to '${method}' must be an integer ≥ 1, got ${maxIterations}`);
  }
  const noise = options.relativeNoise ?? DEFAULT_RELATIVE_NOISE;
  if (!(Number.isFinite(noise) && noise >= 0)) {
    throw new RangeError(`Option 'relativeNoise' passed to '${method}' must be a finite number ≥ 0, got ${noise}`);
  }
  const magnitude = options.magnitude ?? 0;
  if (!(Number.isFinite(magnitude) && magnitude >= 0)) {
    throw new RangeError(`Option 'magnitude' passed to '${method}' must be a finite number ≥ 0, got ${magnitude}`);
  }
  return maxIterations;
}

/** f must return vectors of one length; returns that length. */
function checkSize(method: string, expected: number, a: number, b: number): number {
  const size = expected < 0 ? a : expected;
  if (a !== size || b !== size) {
    throw new RangeError(`f passed to '${method}' returned vectors of different lengths (${size}, ${a}, ${b})`);
  }
  return size;
}
