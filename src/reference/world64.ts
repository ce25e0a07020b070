import type { ScalarFormula, World } from '../formula/algebra';
import type { CheckedComputation } from '../scenario/compile';
import { ArrayPool, giveBack, withArrayPool } from '../foundation/arrayPool';
import { maxAbs, type Floats } from '../foundation/tensor';
import { computationOf } from '../scenario/computationOf';
import type { Scenario } from '../scenario/schema';
import type { TrialValues } from '../scenario/trialValues';
import { algebra64, type Value64 } from './algebra64';
import { forward64, KinkWatch, namesOf, type Env64 } from './definitions64';
import { rootedAt } from './rootedAt64';
import { placeColumn, type Jacobian64 } from './gradient64';
import { MANY_OUTPUT_ROWS } from './finiteDifferences';
import type { KinkAwareEstimate } from './kinks';
import { movedPass, type Direction64 } from './movedPass64';
import { rowBlocksOf, rowsOf } from './rowSlice64';
import { nextParameters64 } from './next64';
import { chainCost, throughLinearAt, throughLinearAtElements, throughLinearRows, throughReader, type GradientRows } from './chainRule64';
import { colouredLossGradient, trusted } from './colouredGradient64';
import { lossRowsOf, ownRuns } from './lossRows';
import { seededSample } from './sampling';

/**
 * Tensors larger than this many elements are not differentiated element by element (one Ridders
 * run, 4–20 passes, per element): their claims are checked along seeded random directions and at
 * chosen elements (src/claim/sampledGradientCheck.ts), and their share of the gradient scale is
 * taken at chosen elements (docs/at-scale.md).
 */
export const LARGE_TENSOR = 4096;
/**
 * Outputs of one slope run through an elementwise reader (chainRule64.ts). What a run holds is
 * left to the collector when the slope run is done, and stays resident until it runs: small
 * runs keep that small (at 2048 outputs, ~0.3 MB).
 */
export const SLOPE_CHUNK = 2048;
/** A reader whose rows have at most this many elements is computed a block of rows at a time in a slope run (rowSlice64.ts). */
export const WIDEST_BLOCK_ROW = 16384;
/** Outputs of one slope run where the reader is computed in full for each run: fewer runs, fewer whole evaluations. */
export const WHOLE_READER_CHUNK = 16384;
/** Seeded elements of each large parameter whose derivative joins the gradient scale. */
export const SCALE_SAMPLE = 16;
/**
 * A large tensor's ∂E/∂Q is computed in full when the chain rule (chainRule64.ts) gets it in at
 * most this many finite-difference runs, each of a handful of passes through the layers above:
 * about what sampling it costs (a run per element of SCALE_SAMPLE, or per direction and element
 * of a sampled check). A chain that meets a kink is not taken: Q is sampled then.
 */
export const FULL_GRADIENT_RUNS = 32;
/** Elements of one block of rows of a large gradient claim (src/claim/rowBlocks.ts) or of ∂E/∂Q read for its scale. */
export const ROW_BLOCK = 32768;

/**
 * Rows of each block of `count` rows of `rowSize` elements: ROW_BLOCK elements' worth (at least
 * one row); fewer, down to half that, where they divide `count`: blocks all alike are planned once
 * and take the same arrays (a shorter last block has plans and arrays of its own).
 */
export function blockRows(count: number, rowSize: number): number {
  const most = Math.max(1, Math.floor(ROW_BLOCK / rowSize));
  if (count <= most) return count;
  for (let rows = most; 2 * rows >= most; rows--) if (count % rows === 0) return rows;
  return most;
}

/** Each block's rows [from, to) of `count` rows of `rowSize` elements, in order. */
export function* blocksOfRows(count: number, rowSize: number): Generator<[number, number]> {
  const step = blockRows(count, rowSize);
  for (let from = 0; from < count; from += step) yield [from, Math.min(count, from + step)];
}

/**
 * ∂E/∂Q's values (`rows`, Q's `count` rows of `rowSize`), handed to `use` a block at a time: each
 * block's arrays come from the reclaimable `pool` and are taken back before the next block.
 */
export function eachRowBlockValues(rows: GradientRows, count: number, rowSize: number, pool: ArrayPool, use: (values: Floats) => void): void {
  for (const [from, to] of blocksOfRows(count, rowSize)) {
    try {
      use(withArrayPool(pool, () => rows(from, to, true)).data);
    } finally {
      pool.reclaim();
    }
  }
}

/** A derivative of a scalar function of the computation, with its error bound and its cost. */
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
  env: Env64;
  /**
   * ∂f/∂Q at one element (flat index) of Q, f a scalar function of the environment, or 'loss' for
   * E (then only the part of E that moves is computed, where the move allows)
   */
  elementDerivative(symbol: string, f: ((env: Env64) => number) | 'loss', element: number): Derivative64;
  /**
   * ∂E/∂Q at one element (flat index) of Q, computed once per trial and element: shared by the
   * gradient scale of a large parameter and the built-in gradient check's chosen elements
   */
  lossDerivativeAt(symbol: string, element: number): Derivative64;
  /** lossDerivativeAt at each of `elements`, those not known yet computed together where the chain rule allows */
  lossDerivativesAt(symbol: string, elements: Int32Array): Derivative64[];
  /**
   * Whether ∂E/∂Q is computed in full: Q is not large, or the chain rule gets it in at most
   * FULL_GRADIENT_RUNS runs without meeting a kink (it is computed to find out); then
   * `lossGradient(Q)` is what claims and checks read, not samples
   */
  lossGradientInFull(symbol: string): boolean;
  /** d/dt f(env(Q + t·v)) at t = 0 */
  directionalDerivative(symbol: string, f: ((env: Env64) => number) | 'loss', v: Float64Array): Derivative64;
  /** how the gradient scale was obtained: every element, or chosen elements of large parameters */
  scaleSource(): 'every element' | 'sampled';
  /**
   * ∂E/∂Q of a large Q a block of its rows at a time (its values and error bound, exactly those
   * of the whole), without Q's gradient being held whole: views of it when it is held already,
   * else through Q's linear reader (chainRule64.ts throughLinearRows); null where neither applies
   */
  lossGradientRows(symbol: string): GradientRows | null;
  /**
   * ∂F/∂Q of a large Q a block of its rows at a time, F a scalar formula other than E: the rows
   * lossGradientRows gives in the computation rooted at F (rootedAt64.ts); null where those do not
   * apply or F reads E
   */
  formulaGradientRows(symbol: string, formula: ScalarFormula): GradientRows | null;
  /**
   * The gradient scale with parameter P's share left to a caller that reads every block of
   * `lossGradientRows(P)` anyway (src/claim/rowBlocks.ts): the largest share of every other
   * parameter, where the tfjs world says |∂E/∂P| is largest (`hint`, a flat element), and
   * `settle`, which takes max |∂E/∂P| over those blocks (maxAbs of each block's values) as P's
   * share, the number `gradientScale` would find by a pass of its own over the same blocks. Null
   * where P's share would not be taken so (P's ∂E/∂P held whole, or sampled), or is known already,
   * or another share was sampled, or there is no hint (none given, or the tfjs world failed).
   */
  scaleByRows(symbol: string): ScaleByRows | null;
}

/** The gradient scale but for one parameter's share (ReferenceWorld.scaleByRows). */
export interface ScaleByRows {
  others: number;
  hint: number;
  settle(largest: number): void;
}

/** The value a step starts from: the element's own (element), the largest of Q's (dense). */
function startOf(q: Floats, direction: Direction64): number {
  return direction.kind === 'element' ? q[direction.index] : maxAbs(q);
}

/**
 * The float64 reference world of one trial: the computation's definitions evaluated in plain
 * loops, derivatives by Ridders-extrapolated central differences through moved passes (only what
 * is downstream of the moved symbol is computed again; src/reference/movedPass64.ts), kink-aware
 * (src/reference/kinks.ts), their error estimate riding along as `error`, and next(P) by the
 * optimizer's float64 rule (next64.ts).
 */
export function referenceWorld(scenario: Scenario, values: TrialValues, options: ReferenceOptions = {}): ReferenceWorld {
  const computation = computationOf(scenario);
  const watch = new KinkWatch();
  // the world keeps these: never from a pool, whose arrays a claim may give back
  const env = withArrayPool(null, () => forward64(computation, values, watch));
  return worldOver({ scenario, values, computation, env, watch }, options);
}

/** A trial's forward pass in float64, and what made it. */
interface Trial64 {
  scenario: Scenario;
  values: TrialValues;
  computation: CheckedComputation;
  env: Env64;
  watch: KinkWatch;
}

function worldOver(trial: Trial64, options: ReferenceOptions): ReferenceWorld {
  const { scenario, values, computation, env, watch } = trial;
  const valueOf = (symbol: string): Value64 => {
    const q = env.get(symbol);
    if (!q) throw new Error(`no symbol ${symbol} in this computation`);
    return q;
  };
  /**
   * d/dt of g(env(Q + t·v)) at t = 0 for a vector-valued g, kink-aware. For the loss ('loss') only
   * the part that moves, when the move allows (src/reference/movedPass64.ts), its rounding taken
   * relative to the numbers it is computed from.
   */
  const differentiate = (symbol: string, direction: Direction64, g: ((env: Env64) => Float64Array) | 'loss', fresh = g === 'loss', rows?: number) => {
    // g's arrays are its own (fresh): the moved tensors may be written into the same arrays for every step
    const pass = movedPass(computation, env, watch, symbol, direction, fresh);
    const part = g === 'loss' ? pass.loss : undefined;
    const call = part ? (t: number) => Float64Array.of(part.at(t)) : (t: number) => (g === 'loss' ? lossOf : g)(pass(t));
    const d = watch.derivative(call, startOf(valueOf(symbol).data, direction), { ...(part ? { magnitude: part.magnitude } : {}), ...(rows !== undefined ? { rows } : {}) });
    // derivative64 copied what it read of the moved environments
    pass.release();
    return d;
  };
  const lossOf = (e: Env64): Float64Array => Float64Array.of(e.get('E')!.data[0]);
  /** Every element of `symbol` moved in turn: the Jacobian of g, [outputs, ...shape of symbol]. */
  const jacobian = (symbol: string, outputs: number, g: ((env: Env64) => Float64Array) | 'loss'): Value64 => {
    const base = valueOf(symbol);
    const n = base.data.length;
    const into: Jacobian64 = { value: new Float64Array(outputs * n), error: new Float64Array(outputs * n), evaluations: 0 };
    for (let m = 0; m < n; m++) placeColumn(into, differentiate(symbol, { kind: 'element', index: m }, g), m, n);
    const shape = [outputs, ...base.shape];
    if (!into.kink) return { shape, data: into.value, error: into.error };
    return { shape, data: into.value, error: into.error, kink: into.kink, oneSided: { forward: into.forward!, backward: into.backward! } };
  };
  const gradient = (symbol: string, outputs: number, f: (env: Map<string, Value64>) => Value64, formula?: (output: number) => ScalarFormula): Value64 =>
    (formula && formulaGradient(symbol, outputs, formula)) ??
    jacobian(symbol, outputs, (e) => {
      const out = f(e);
      if (out.data.length !== outputs) throw new Error(`grad: expected ${outputs} outputs, got ${out.data.length}`);
      // F may be a trial's tensor itself (float32 storage)
      return out.data instanceof Float64Array ? out.data : Float64Array.from(out.data);
    });
  /**
   * ∂F/∂Q of a large Q, each output of F (a formula) as the loss of the computation rooted at it
   * (rootedAt64.ts), where each such ∂F/∂Q comes in full by the chain rule or columns, in at most
   * FULL_GRADIENT_RUNS runs without a kink, and all of them in fewer runs than Q has elements; else null
   */
  const formulaGradient = (symbol: string, outputs: number, formula: (output: number) => ScalarFormula): Value64 | null => {
    const q = valueOf(symbol);
    const n = q.data.length;
    if (n <= LARGE_TENSOR || outputs * FULL_GRADIENT_RUNS > n || !differentiable(symbol)) return null;
    let value: Float64Array | undefined;
    let error: Float64Array | undefined;
    for (let c = 0; c < outputs; c++) {
      const rooted = rootedWorld(formula(c));
      if (!rooted) return null;
      // F not downstream of Q: its row stays 0
      if (!namesOf(computation, symbol).some((name) => rooted.computation.definitions.some((d) => d.reads.has(name) || d.through?.reads.has(name)))) continue;
      const { world } = rooted;
      if (!world.lossGradientInFull(symbol)) return null;
      const g = world.lossGradient!(symbol)!;
      if (g.kink) return null;
      // one output: the rooted world's own arrays, which nothing else holds
      if (outputs === 1) return { shape: [1, ...q.shape], data: g.data, ...(g.error ? { error: g.error } : {}) };
      (value ??= new Float64Array(outputs * n)).set(g.data, c * n);
      if (g.error) (error ??= new Float64Array(outputs * n)).set(g.error, c * n);
    }
    return { shape: [outputs, ...q.shape], data: value ?? new Float64Array(outputs * n), ...(error ? { error } : {}) };
  };
  /** The reference world of this trial with `root` for its loss (rootedAt64.ts), and its computation; null where root reads E. */
  const rootedWorld = (root: ScalarFormula): { computation: CheckedComputation; world: ReferenceWorld } | null => {
    const rooted = rootedAt(computation, env, watch, root);
    return rooted && { computation: rooted.computation, world: worldOver({ ...trial, ...rooted }, {}) };
  };
  const scalarAlong = (symbol: string, f: ((env: Env64) => number) | 'loss', direction: Direction64): Derivative64 => {
    const d = differentiate(symbol, direction, f === 'loss' ? 'loss' : (e) => Float64Array.of(f(e)), true);
    const kink = d.kink?.[0] ? { kink: { forward: d.forward![0], backward: d.backward![0] } } : {};
    return { value: d.value[0], error: d.error[0], evaluations: d.evaluations, ...kink };
  };
  // ∂E/∂symbol, once per trial: shared by the claims' lhs, the gradient scale and next()
  const lossGradients = new Map<string, Value64>();
  const lossGradient = (symbol: string): Value64 => {
    // ∂E/∂E, where a chain of linear readers ends (chainRule64.ts)
    if (symbol === 'E') return { shape: [], data: Float64Array.of(1), error: Float64Array.of(0) };
    let g = lossGradients.get(symbol);
    if (!g) {
      // the world keeps it: made with a pool of its own (for the moved passes' arrays), never
      // the trial's, whose arrays a claim may give back
      g = withArrayPool(new ArrayPool(), () => throughReader(computation, env, watch, symbol, lossGradients, lossGradient, slopeAlong) ?? byColumns(symbol) ?? elementwiseLossGradient(symbol));
      lossGradients.set(symbol, g);
    }
    return g;
  };
  /**
   * d reader / d symbol of every element, as every element of the symbol moves by t at once (the
   * reader elementwise in it), read about SLOPE_CHUNK elements at a time: Ridders keeps two
   * numbers per row of its tableau and output (96 bytes at MANY_OUTPUT_ROWS) and the calls it
   * still reads, so a chunk of SLOPE_CHUNK outputs holds ~0.3 MB. A chunk is a block of the
   * reader's whole rows (at least one), computed alone, where rowSlice64.ts allows it (an
   * activation) and a row has at most WIDEST_BLOCK_ROW elements; else WHOLE_READER_CHUNK elements,
   * the reader computed in full for each. The steps
   * are the largest element's; an element whose estimate is not one a smooth function gives
   * (colouredGradient64.ts `trusted`: a pole at 0 jumped over) is differentiated again by itself.
   */
  // the chunks' runs hand their arrays on to each other through a pool of their own, which goes with the run
  const slopeAlong = (symbol: string, reader: string): KinkAwareEstimate => withArrayPool(new ArrayPool({ smallest: SLOPE_CHUNK }), () => slopeByChunks(symbol, reader));
  const slopeByChunks = (symbol: string, reader: string): KinkAwareEstimate => {
    const p = valueOf(symbol);
    const n = p.data.length;
    // every element moving by t at once (made only where the reader is computed in full for each chunk)
    let ones: Direction64 | null = null;
    const everyElement = (): Direction64 => (ones ??= { kind: 'dense', data: new Float64Array(n).fill(1) });
    const definition = computation.definitions.find((d) => d.name === reader)!;
    const row = n / p.shape[0];
    const blocks = row <= WIDEST_BLOCK_ROW ? rowBlocksOf(definition, symbol, env, watch) : null;
    // elements per run: whole rows where the reader is computed by blocks of rows, at least
    // SLOPE_CHUNK of them, so that a run's arrays come from its pool (which serves SLOPE_CHUNK and up) and are handed on
    const span = blocks ? row * Math.ceil(SLOPE_CHUNK / row) : WHOLE_READER_CHUNK;
    // the steps of every element moving at once (startOf a dense direction)
    const q = maxAbs(p.data);
    const value = new Float64Array(n);
    const error = new Float64Array(n);
    let evaluations = 0;
    for (let from = 0; from < n; from += span) {
      const to = Math.min(n, from + span);
      // a view where it can: derivative64 copies what it keeps
      const chunk = (e: Env64): Float64Array => {
        const data = e.get(reader)!.data;
        return data instanceof Float64Array ? data.subarray(from, to) : Float64Array.from(data.subarray(from, to));
      };
      const block = blocks?.(from / row, to / row);
      const d = block ? watch.derivative(block.at, q, { rows: MANY_OUTPUT_ROWS }) : differentiate(symbol, everyElement(), chunk, true, MANY_OUTPUT_ROWS);
      block?.release();
      evaluations += d.evaluations;
      // a kink anywhere: the caller goes element by element
      if (d.kink && d.kink.includes(1)) return d;
      value.set(d.value, from);
      error.set(d.error, from);
      giveBack(d.value, d.error);
    }
    for (let i = 0; i < n; i++) {
      if (trusted(value[i], error[i])) continue;
      const own = differentiate(symbol, { kind: 'element', index: i }, (e) => Float64Array.of(e.get(reader)!.data[i]), true);
      evaluations += own.evaluations;
      if (own.kink && own.kink.includes(1)) return own;
      value[i] = own.value[0];
      error[i] = own.error[0];
    }
    // arrays of the caller's: nothing here reads them again
    return { value, error, kink: null, evaluations };
  };
  /** By columns where E's rows allow (lossRows.ts); null where a column crosses a kink. */
  const byColumns = (symbol: string): Value64 | null => {
    const rows = lossRowsOf(computation, symbol, valueOf(symbol).shape);
    return rows && colouredLossGradient(computation, env, watch, symbol, rows, (index) => lossDerivativeAt(symbol, index));
  };
  const elementwiseLossGradient = (symbol: string): Value64 => {
    const full = jacobian(symbol, 1, 'loss');
    return algebra64.reshape(full, full.shape.slice(1));
  };
  let next: ((symbol: string) => Value64) | undefined;
  let scale: number | undefined;
  let sampled = false;
  // each parameter's share of the gradient scale, once taken (or settled by a caller: scaleByRows)
  const shares = new Map<string, number>();
  const elementLossDerivatives = new Map<string, Map<number, Derivative64>>();
  // ∂E/∂symbol in at most FULL_GRADIENT_RUNS finite-difference runs (the chain rule, or columns),
  // else null, decided once: where the chain meets a kink, it is not taken
  const withinBudget = new Map<string, Value64 | null>();
  const cheapGradient = (symbol: string): Value64 | null => {
    if (symbol === 'E' || lossGradients.has(symbol)) return lossGradient(symbol);
    if (withinBudget.has(symbol)) return withinBudget.get(symbol)!;
    let g: Value64 | null = null;
    if (chainCost(computation, symbol, lossGradients) <= FULL_GRADIENT_RUNS) {
      const own = ownRuns(computation, symbol, valueOf(symbol).shape);
      g = withArrayPool(new ArrayPool(), () => throughReader(computation, env, watch, symbol, lossGradients, cheapGradient, slopeAlong) ?? (own <= FULL_GRADIENT_RUNS ? byColumns(symbol) : null));
    }
    if (g) lossGradients.set(symbol, g);
    withinBudget.set(symbol, g);
    return g;
  };
  const inFull = (symbol: string): boolean => valueOf(symbol).data.length <= LARGE_TENSOR || cheapGradient(symbol) !== null;
  const fromFull = (g: Value64, element: number): Derivative64 => {
    const kink = g.kink?.[element] ? { kink: { forward: g.oneSided!.forward[element], backward: g.oneSided!.backward[element] } } : {};
    return { value: g.data[element], error: g.error?.[element] ?? 0, evaluations: 0, ...kink };
  };
  const lossDerivativeAt = (symbol: string, element: number): Derivative64 => {
    const full = lossGradients.get(symbol);
    if (full) return fromFull(full, element);
    let known = elementLossDerivatives.get(symbol);
    if (!known) elementLossDerivatives.set(symbol, (known = new Map()));
    let d = known.get(element);
    if (!d) known.set(element, (d = byChainAt(symbol, element) ?? scalarAlong(symbol, 'loss', { kind: 'element', index: element })));
    return d;
  };
  const lossDerivativesAt = (symbol: string, elements: Int32Array): Derivative64[] => {
    if (!lossGradients.has(symbol)) {
      const known = elementLossDerivatives.get(symbol) ?? new Map<number, Derivative64>();
      elementLossDerivatives.set(symbol, known);
      const missing = Int32Array.from(new Set(elements)).filter((e) => !known.has(e));
      // through the linear reader, every missing element in one evaluation of its map
      const together = missing.length > 1 ? throughLinearAtElements(computation, env, watch, symbol, lossGradients, missing) : null;
      if (together) missing.forEach((e, k) => known.set(e, { value: together.value[k], error: together.error[k], evaluations: 0 }));
    }
    return Array.from(elements, (e) => lossDerivativeAt(symbol, e));
  };
  /** ∂E/∂symbol at an element through its linear reader, once ∂E/∂D is known in full (chainRule64.ts); kept per symbol */
  const chainAt = new Map<string, (element: number) => { value: number; error: number }>();
  const byChainAt = (symbol: string, element: number): Derivative64 | null => {
    let at = chainAt.get(symbol);
    if (!at) {
      const made = throughLinearAt(computation, env, watch, symbol, lossGradients);
      if (!made) return null; // ∂E/∂D may be known later
      chainAt.set(symbol, (at = made));
    }
    return { ...at(element), evaluations: 0 };
  };
  // ∂E/∂Q by rows, decided once per symbol
  const byRows = new Map<string, GradientRows | null>();
  const lossGradientRows = (symbol: string): GradientRows | null => {
    const held = lossGradients.get(symbol);
    if (held) return held.kink ? null : Object.assign((from: number, to: number) => rowsOf(held, from, to), { held: true });
    if (!byRows.has(symbol)) {
      const p = valueOf(symbol);
      const rows = p.data.length > LARGE_TENSOR && differentiable(symbol) ? withArrayPool(new ArrayPool(), () => throughLinearRows(computation, env, watch, symbol, cheapGradient)) : null;
      byRows.set(symbol, rows);
    }
    return byRows.get(symbol)!;
  };
  /** max |∂E/∂Q| over Q's rows, a block at a time */
  const maxAbsByRows = (rows: GradientRows, count: number, rowSize: number): number => {
    let m = 0;
    eachRowBlockValues(rows, count, rowSize, new ArrayPool({ reclaimable: true }), (values) => (m = Math.max(m, maxAbs(values))));
    return m;
  };
  const shareOf = (name: string): number => {
    let share = shares.get(name);
    if (share === undefined) shares.set(name, (share = parameterScale(name)));
    return share;
  };
  /** ∂E/∂P's rows, where P's share of the gradient scale is taken by them (∂E/∂P not held whole), else null */
  const scaleRows = (name: string): GradientRows | null => (!lossGradients.has(name) && valueOf(name).shape.length > 0 ? lossGradientRows(name) : null);
  const parameterScale = (name: string): number => {
    const p = valueOf(name);
    const rows = scaleRows(name);
    if (rows) return maxAbsByRows(rows, p.shape[0], p.data.length / p.shape[0]);
    if (inFull(name)) return maxAbs(lossGradient(name).data);
    sampled = true;
    const hint = options.scaleHints?.().get(name);
    const elements = new Set(seededSample(values.seed, name, p.data.length, SCALE_SAMPLE));
    if (hint !== undefined) elements.add(hint);
    let m = 0;
    for (const element of elements) m = Math.max(m, Math.abs(lossDerivativeAt(name, element).value));
    return m;
  };
  const differentiable = (symbol: string) => env.has(symbol) && symbol !== 'E' && !computation.counts.has(symbol) && !computation.constants.has(symbol) && symbol !== 'lr';
  return {
    name: 'reference',
    algebra: watch.algebra,
    env,
    integers: (name) => valueOf(name).data,
    gradient,
    lossGradient: (symbol) => (differentiable(symbol) ? lossGradient(symbol) : null),
    elementDerivative: (symbol, f, element) => scalarAlong(symbol, f, { kind: 'element', index: element }),
    lossDerivativeAt,
    lossDerivativesAt,
    lossGradientInFull: (symbol) => differentiable(symbol) && inFull(symbol),
    directionalDerivative: (symbol, f, v) => scalarAlong(symbol, f, { kind: 'dense', data: v }),
    next(symbol) {
      // later steps' gradients from a reference world of the trial with the parameters moved
      next ??= nextParameters64(scenario, values, { lossGradient }, (moved) => {
        const world = referenceWorld(scenario, moved);
        return { lossGradient: (name) => world.lossGradient!(name)! };
      });
      return next(symbol);
    },
    gradientScale() {
      scale ??= Math.max(0, ...computation.parameters.map(shareOf));
      return scale;
    },
    scaleSource: () => (sampled ? 'sampled' : 'every element'),
    lossGradientRows: (symbol) => (differentiable(symbol) ? lossGradientRows(symbol) : null),
    formulaGradientRows(symbol, formula) {
      if (valueOf(symbol).data.length <= LARGE_TENSOR || !differentiable(symbol)) return null;
      return rootedWorld(formula)?.world.lossGradientRows(symbol) ?? null;
    },
    scaleByRows(symbol) {
      // parameterScale's choice for P: by rows where its ∂E/∂P is not held whole
      if (scale !== undefined || shares.has(symbol) || !computation.parameters.includes(symbol) || scaleRows(symbol) === null) return null;
      // the hint comes from the tfjs world: where its gradients fail (a claim reports that in its
      // own guard), the share is taken by the world's own pass
      let hint: number | undefined;
      try {
        hint = options.scaleHints?.().get(symbol);
      } catch {
        return null;
      }
      if (hint === undefined) return null;
      const others = Math.max(0, ...computation.parameters.filter((n) => n !== symbol).map(shareOf));
      if (sampled) return null;
      return { others, hint, settle: (largest) => void shares.set(symbol, largest) };
    },
  };
}
