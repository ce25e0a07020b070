// The reference world's numerical derivative: d/dt f(t) at t = 0 for a vector-valued f, by
// difference quotients extrapolated to h → 0 (Ridders' method, Numerical Recipes `dfridr`,
// run once per component over shared evaluations of f). Each component also gets an error
// estimate that the caller adds to its tolerance, so finite-difference noise never refutes
// an exact zero.
//
// The caller builds f(t) = F(q + t) for one parameter element q. Rounding makes the step
// actually taken (q + t) − q, not t; with t ≈ 1e-2·max(1, |q|) that costs ~1e-14 relative.

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
  const tableau = new Tableau(SHRINK * SHRINK, CENTRAL_MIN_ROWS);
  for (let row = 0, h = step; row < maxIterations && !tableau.allDone(); row++, h /= SHRINK) {
    const plus = f(h).slice(); // copy: f may reuse its output buffer
    const minus = f(-h);
    evaluations += 2;
    size = checkSize('ridders', size, plus.length, minus.length);
    const quotient = new Float64Array(size);
    const quotientNoise = new Float64Array(size);
    for (let c = 0; c < size; c++) {
      quotient[c] = (plus[c] - minus[c]) / (2 * h);
      quotientNoise[c] = (noise * (Math.max(Math.abs(plus[c]), floor) + Math.max(Math.abs(minus[c]), floor))) / (2 * h);
    }
    tableau.addRow(quotient, quotientNoise);
  }
  return { ...tableau.result(), evaluations };
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
    { sign: 1, tableau: new Tableau(SHRINK, ONE_SIDED_MIN_ROWS) },
    { sign: -1, tableau: new Tableau(SHRINK, ONE_SIDED_MIN_ROWS) },
  ];
  for (const { sign, tableau } of sides) {
    for (let row = 0, h = step; row < maxIterations && !tableau.allDone(); row++, h /= SHRINK) {
      const value = f(sign * h);
      evaluations++;
      checkSize('oneSided', size, value.length, value.length);
      const quotient = new Float64Array(size);
      const quotientNoise = new Float64Array(size);
      for (let c = 0; c < size; c++) {
        quotient[c] = (sign * (value[c] - centre[c])) / h;
        quotientNoise[c] = (noise * (Math.max(Math.abs(value[c]), floor) + Math.max(Math.abs(centre[c]), floor))) / h;
      }
      tableau.addRow(quotient, quotientNoise);
    }
  }
  return { forward: sides[0].tableau.result(), backward: sides[1].tableau.result(), evaluations };
}

/**
 * Ridders' Neville tableau, one per component, fed one row (one step size) at a time.
 * Row i holds the quotient at h_i = step / SHRINK^i and its extrapolations; entry j of row i
 * combines rows i−j..i and cancels the first j error terms. Alongside each entry runs a bound
 * on the rounding noise it carries (the extrapolation weights amplify the quotients' noise).
 */
class Tableau {
  private readonly components: ComponentTableau[] = [];
  private rows = 0;

  constructor(
    private readonly ratio: number,
    private readonly minRows: number,
  ) {}

  addRow(quotient: Float64Array, quotientNoise: Float64Array): void {
    this.rows++;
    while (this.components.length < quotient.length) this.components.push(new ComponentTableau(this.ratio, this.minRows));
    for (let c = 0; c < quotient.length; c++) this.components[c].addRow(quotient[c], quotientNoise[c]);
  }

  allDone(): boolean {
    return this.rows > 0 && this.components.every((component) => component.done);
  }

  result(): DerivativeEstimate {
    const value = new Float64Array(this.components.length);
    const error = new Float64Array(this.components.length);
    this.components.forEach((component, c) => {
      [value[c], error[c]] = component.result();
    });
    return { value, error };
  }
}

class ComponentTableau {
  done = false;
  private previous: number[] = [];
  private previousNoise: number[] = [];
  private lastRowFinite = true;
  private bestValue = NaN;
  private bestError = Infinity; // tableau error of bestValue; Infinity until two rows agree
  private bestNoise = 0;

  constructor(
    private readonly ratio: number,
    private readonly minRows: number,
  ) {}

  addRow(quotient: number, quotientNoise: number): void {
    if (this.done) return;
    if (!Number.isFinite(quotient)) {
      // Restart: rows at larger steps may have left f's domain; only a non-finite value at the
      // smallest step tried makes the result NaN (see result()).
      this.lastRowFinite = false;
      this.previous = [];
      this.previousNoise = [];
      this.bestValue = NaN;
      this.bestError = Infinity;
      this.bestNoise = 0;
      return;
    }
    this.lastRowFinite = true;
    const current = [quotient];
    const currentNoise = [quotientNoise];
    if (this.previous.length === 0) {
      this.bestValue = quotient;
      this.bestNoise = quotientNoise;
    }
    let factor = this.ratio;
    for (let j = 1; j <= this.previous.length; j++) {
      current[j] = (current[j - 1] * factor - this.previous[j - 1]) / (factor - 1);
      currentNoise[j] = (currentNoise[j - 1] * factor + this.previousNoise[j - 1]) / (factor - 1);
      factor *= this.ratio;
      const error = Math.max(Math.abs(current[j] - current[j - 1]), Math.abs(current[j] - this.previous[j - 1]));
      if (error <= this.bestError) {
        this.bestError = error;
        this.bestValue = current[j];
        this.bestNoise = currentNoise[j];
      }
    }
    // Higher order got worse than the best so far by a wide margin: rounding has taken over
    // (or, at large steps, the series has not settled yet: hence minRows before trusting it).
    const diagonalMove = this.previous.length > 0 ? Math.abs(current[current.length - 1] - this.previous[this.previous.length - 1]) : 0;
    if (this.previous.length > 0 && diagonalMove >= SAFE * this.bestError && (this.bestError === 0 || current.length >= this.minRows)) {
      this.done = true;
    }
    this.previous = current;
    this.previousNoise = currentNoise;
  }

  /** [value, error]; NaN for both when the smallest step tried gave a non-finite quotient. */
  result(): [number, number] {
    if (!this.lastRowFinite || Number.isNaN(this.bestValue)) return [NaN, NaN];
    return [this.bestValue, this.bestError + this.bestNoise];
  }
}

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
