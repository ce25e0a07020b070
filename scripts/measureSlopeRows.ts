import { ELEMENTWISE } from '../src/formula/functions';
import { SeededRandom } from '../src/foundation/random';
import { maxAbs } from '../src/foundation/tensor';
import { trusted } from '../src/reference/colouredGradient64';
import { DEFAULT_MAX_ITERATIONS, MANY_OUTPUT_ROWS } from '../src/reference/finiteDifferences';
import { derivative64 } from '../src/reference/kinks';

// npm run measure:slope-rows — the measurement MANY_OUTPUT_ROWS comes from: a slope run
// (src/reference/world64.ts) moves every element of P at once, along one ladder of steps set by
// the largest, and differentiates an elementwise reader D = g(P) with a Ridders tableau of at most
// `rows` rows; an element whose estimate is not trusted is differentiated again by itself with
// every row. Here, for every smooth function of the formula table and a few a derivation builds
// from them, over inputs of several spreads, that run is made with 3 to 10 rows and its result
// (after the re-differentiation) compared with the exact derivative: the largest error relative to
// the derivative's size, the largest error over its own estimate (above 1 the estimate does not
// cover the error), the elements differentiated again and the calls of g the run made. The exact
// derivatives are written without cancellation (1/cosh² for 1 − tanh²); g itself is computed as
// a formula computes it, so where g rounds to more than a few ulps of itself (σ(1 − σ) far out)
// the estimate of rounding, relative to |g|, is short at every number of rows. Spread 8 of the
// functions with a pole at 0 puts inputs within 1e-10 of it, where no step resolves the pole
// (1/x at 1e-12: a finite, wrong derivative at every number of rows).

const { value: tanh } = ELEMENTWISE.tanh;
const { value: sigmoid } = ELEMENTWISE.sigmoid;
const { value: softplus } = ELEMENTWISE.softplus;

interface Case {
  name: string;
  g: (x: number) => number;
  exact: (x: number) => number;
  /** inputs: which spreads it is measured over */
  domain: 'real' | 'positive' | 'above -1';
}

const CASES: Case[] = [
  { name: 'tanh', g: tanh, exact: (x) => 1 / Math.cosh(x) ** 2, domain: 'real' },
  { name: 'sigmoid', g: sigmoid, exact: (x) => sigmoid(x) * sigmoid(-x), domain: 'real' },
  { name: 'exp', g: Math.exp, exact: Math.exp, domain: 'real' },
  { name: 'softplus', g: softplus, exact: sigmoid, domain: 'real' },
  { name: 'log', g: Math.log, exact: (x) => 1 / x, domain: 'positive' },
  { name: 'log1p', g: Math.log1p, exact: (x) => 1 / (1 + x), domain: 'above -1' },
  { name: 'sqrt', g: Math.sqrt, exact: (x) => 0.5 / Math.sqrt(x), domain: 'positive' },
  { name: 'x^2', g: (x) => x ** 2, exact: (x) => 2 * x, domain: 'real' },
  { name: 'x^3', g: (x) => x ** 3, exact: (x) => 3 * x ** 2, domain: 'real' },
  { name: '1/x', g: (x) => 1 / x, exact: (x) => -1 / x ** 2, domain: 'positive' },
  { name: 'x^-1.5', g: (x) => x ** -1.5, exact: (x) => -1.5 * x ** -2.5, domain: 'positive' },
  { name: 'tanh^2', g: (x) => tanh(x) ** 2, exact: (x) => (2 * tanh(x)) / Math.cosh(x) ** 2, domain: 'real' },
  { name: 'x·sigmoid', g: (x) => x * sigmoid(x), exact: (x) => sigmoid(x) + x * sigmoid(x) * sigmoid(-x), domain: 'real' },
  { name: 'exp(-x^2/2)', g: (x) => Math.exp(-(x ** 2) / 2), exact: (x) => -x * Math.exp(-(x ** 2) / 2), domain: 'real' },
  { name: 'sigmoid(1-s)', g: (x) => sigmoid(x) * (1 - sigmoid(x)), exact: (x) => -sigmoid(x) * sigmoid(-x) * tanh(x / 2), domain: 'real' },
];

const N = 16384;

/** Inputs of one spread, as a network's pre-activations are: float32 numbers. */
function inputs(domain: Case['domain'], spread: number, seed: number): Float64Array {
  const rng = new SeededRandom(seed);
  return Float64Array.from({ length: N }, () => {
    const z = rng.normal(0, spread);
    const x = domain === 'real' ? z : domain === 'positive' ? Math.exp(z) : Math.exp(z) - 0.999;
    return Math.fround(x);
  });
}

interface Measured {
  relative: number;
  overEstimate: number;
  again: number;
  /** elements whose derivative came out not finite (the reference reports them so: never a pass) */
  notFinite: number;
  /** calls of g over all elements (the run's) */
  runCalls: number;
}

/** What the kink watch reports along a move of a smooth function (KinkWatch.derivative): no crossing. */
const SMOOTH = { crossed: () => false, crossingAt: () => 1 };

/**
 * One slope run of g over x with at most `rows` rows, as world64's slopeByChunks makes each chunk's
 * (the steps set by the largest |x|, untrusted elements again by themselves), over all N inputs at
 * once where the product takes SLOPE_CHUNK at a time.
 */
function slopeRun(c: Case, x: Float64Array, rows: number): Measured {
  const q = maxAbs(x);
  const out = new Float64Array(N);
  const run = derivative64((t) => {
    for (let i = 0; i < N; i++) out[i] = c.g(x[i] + t);
    return out;
  }, q, { rows, ...SMOOTH });
  const measured: Measured = { relative: 0, overEstimate: 0, again: 0, notFinite: 0, runCalls: run.evaluations };
  for (let i = 0; i < N; i++) {
    let [value, error] = [run.value[i], run.error[i]];
    if (!trusted(value, error)) {
      const own = derivative64((t) => Float64Array.of(c.g(x[i] + t)), x[i], SMOOTH);
      measured.again++;
      [value, error] = [own.value[0], own.error[0]];
    }
    if (!Number.isFinite(value)) {
      measured.notFinite++;
      continue;
    }
    const exact = c.exact(x[i]);
    const off = Math.abs(value - exact);
    // relative to the derivative's size, with a floor of the spread of derivatives around (a zero crossing)
    measured.relative = Math.max(measured.relative, off / Math.max(Math.abs(exact), 1e-3));
    measured.overEstimate = Math.max(measured.overEstimate, off === 0 ? 0 : off / error);
  }
  return measured;
}

const ROWS = [3, 4, 5, MANY_OUTPUT_ROWS, DEFAULT_MAX_ITERATIONS].filter((r, i, all) => all.indexOf(r) === i).sort((a, b) => a - b);
const SPREADS = [0.3, 1, 3, 8];
const e = (v: number) => v.toExponential(1);

console.log(`${N} elements a run, rows ${ROWS.join(', ')}: worst error / max(|g′|, 1e-3), worst error / its estimate, elements differentiated again (not finite: a pole jumped at every step), calls of g in the run`);
console.log(['function', 'spread', ...ROWS.map((r) => `${r} rows`)].join(' | '));
const worst = new Map(ROWS.map((r) => [r, { relative: 0, overEstimate: 0 }]));
CASES.forEach((c, k) => {
  for (const spread of SPREADS) {
    const x = inputs(c.domain, spread, 1000 * k + Math.round(10 * spread));
    const cells = ROWS.map((rows) => {
      const m = slopeRun(c, x, rows);
      const w = worst.get(rows)!;
      w.relative = Math.max(w.relative, m.relative);
      w.overEstimate = Math.max(w.overEstimate, m.overEstimate);
      return `${e(m.relative)} ${m.overEstimate.toFixed(2)} ${m.again}${m.notFinite > 0 ? ` (${m.notFinite} not finite)` : ''} ${m.runCalls}`;
    });
    console.log([c.name, spread, ...cells].join(' | '));
  }
});
console.log(['worst', '', ...ROWS.map((r) => `${e(worst.get(r)!.relative)} ${worst.get(r)!.overEstimate.toFixed(2)}`)].join(' | '));
