import type * as tf from '@tensorflow/tfjs';
import { unravel } from '../foundation/indices';
import { maxAbsFinite } from '../foundation/tensor';
import type { Value64 } from '../reference/algebra64';
import { seededSample } from '../reference/sampling';
import { LARGE_TENSOR, SCALE_SAMPLE, type ReferenceWorld } from '../reference/world64';
import { withValues } from '../tfjs/readInto';
import type { TfTrial } from '../tfjs/worldTf';
import { badness, departs, type AgreementElement, type AgreementState } from './agreement';
import { judgeSides } from './judge';
import type { Sides } from './sides';
import { allowedDifference } from './tolerances';

// The built-in gradient agreement check in one trial, on the trial's two worlds (the claims'):
// tfjs's own ∂E/∂S (the tfjs trial's, from the backward pass of the parameters) against the
// reference's for every symbol S compared, judged as one `==` claim each by the one loop
// (claim/judge.ts), tfjs's gradient the lhs.
//
// What the reference differentiates is kept to what a trial can afford: each element is one
// finite-difference derivative through everything downstream of it (at 784-512-10, batch 64,
// about 3 ms). A parameter's ∂E/∂P is taken for the gradient scale anyway: in full up to
// LARGE_TENSOR elements, beyond at the scale's seeded sample, to which the check adds where tfjs's
// gradient is largest. Any other symbol is compared in full while that is cheap (at most
// LARGE_TENSOR elements, and its elements times the computation's numbers at most
// AGREEMENT_FULL_WORK: every shipped scenario, whose largest is 1.1e5), else at chosen elements:
// where tfjs's gradient is largest and a seeded sample, never element by element in full.

/** Elements of a symbol compared at chosen elements where tfjs's |∂E/∂S| is largest. */
export const AGREEMENT_LARGEST = 2;
/** Seeded elements of a symbol (not a parameter) compared at chosen elements. */
export const AGREEMENT_SAMPLE = 2;
/** A symbol (not a parameter) is compared in full while its elements times the computation's numbers are at most this. */
export const AGREEMENT_FULL_WORK = 2e5;

/** A world's ∂E/∂symbol, which every symbol the check compares has. */
function lossGradientOf<T>(g: T | null | undefined, symbol: string): T {
  if (!g) throw new Error(`no ∂E/∂${symbol} in this computation`);
  return g;
}

/** The chosen flat elements of a gradient (ascending) and tfjs's values there: its largest, and `sample` seeded ones. */
function chosenElements(g: tf.Tensor, symbol: string, seed: number, sample: number, tfTrial: TfTrial): { at: Int32Array; tfjs: Float64Array } {
  // the same seeded elements as the gradient scale's (sampling.ts: a name and a trial pick them)
  const chosen = new Set<number>(seededSample(seed, symbol, g.size, sample));
  for (const e of tfTrial.largestElements(symbol, AGREEMENT_LARGEST)) chosen.add(e);
  const at = Int32Array.from([...chosen].sort((a, b) => a - b));
  return { at, tfjs: withValues(g, (values) => Float64Array.from(at, (e) => values[e])) };
}

/** Both worlds' ∂E/∂symbol as the sides of one `==` judgement (sparse for a large symbol), and the reference's one-sided values at kinks. */
function sidesFor(symbol: string, g: tf.Tensor, tfTrial: TfTrial, reference: ReferenceWorld, seed: number, state: AgreementState): { sides: Sides; oneSided: { forward: ArrayLike<number>; backward: ArrayLike<number> } | null } {
  const shape = g.shape;
  const parameter = state.parameters.has(symbol);
  if (g.size <= LARGE_TENSOR && (parameter || g.size * state.numbers <= AGREEMENT_FULL_WORK)) {
    const ref: Value64 = lossGradientOf(reference.lossGradient?.(symbol), symbol);
    const read = g.dataSync();
    const tfjs = read instanceof Float32Array ? read : Float64Array.from(read);
    const sides: Sides = { vars: [], sizes: shape, lhs: tfjs, rhs: ref.data, error: ref.error ?? null, mask: null, scale: 0, kink: ref.kink ?? null };
    return { sides, oneSided: ref.oneSided ?? null };
  }
  const { at, tfjs } = chosenElements(g, symbol, seed, parameter ? SCALE_SAMPLE : AGREEMENT_SAMPLE, tfTrial);
  const rhs = new Float64Array(at.length);
  const error = new Float64Array(at.length);
  const forward = new Float64Array(at.length);
  const backward = new Float64Array(at.length);
  let kink: Uint8Array | null = null;
  reference.lossDerivativesAt(symbol, at).forEach((d, k) => {
    rhs[k] = d.value;
    error[k] = d.error;
    if (d.kink) {
      kink ??= new Uint8Array(at.length);
      kink[k] = 1;
      forward[k] = d.kink.forward;
      backward[k] = d.kink.backward;
    }
  });
  const seen = state.sampled.get(symbol);
  state.sampled.set(symbol, { elements: g.size, compared: Math.min(seen?.compared ?? Infinity, at.length) });
  return { sides: { vars: [], sizes: shape, lhs: tfjs, rhs, error, mask: null, at, scale: 0, kink }, oneSided: kink ? { forward, backward } : null };
}

/**
 * The check in one trial: every compared symbol's ∂E/∂S in both worlds, judged element by element
 * (at chosen elements for a large one), gathered into `state`. An error of either world is kept
 * in `state.error` (the first one), never thrown.
 */
export function agreementInTrial(state: AgreementState, tfTrial: TfTrial, reference: ReferenceWorld, trial: number, seed: number): void {
  const t0 = performance.now();
  state.trials++;
  let symbol = '';
  try {
    // "zero" is judged next to the largest parameter gradient of this network
    const networkScale = reference.gradientScale();
    for (symbol of state.order) {
      const g = lossGradientOf(tfTrial.lossGradient(symbol), symbol);
      const { sides, oneSided } = sidesFor(symbol, g, tfTrial, reference, seed, state);
      sides.scale = Math.max(maxAbsFinite(sides.rhs), networkScale);
      judgeSymbol(state, symbol, sides, oneSided, trial, seed);
    }
  } catch (e) {
    state.error ??= `trial ${trial} (seed ${seed}), ∂E/∂${symbol}: ${(e as Error).message}`;
  }
  state.elapsedMs += performance.now() - t0;
}

function judgeSymbol(state: AgreementState, symbol: string, sides: Sides, oneSided: { forward: ArrayLike<number>; backward: ArrayLike<number> } | null, trial: number, seed: number): void {
  const element = (position: number): AgreementElement => {
    const flat = sides.at ? sides.at[position] : position;
    const tfjs = sides.lhs[position];
    const reference = sides.rhs[position];
    return {
      symbol,
      index: unravel(flat, sides.sizes),
      trial,
      seed,
      tfjs,
      reference,
      difference: Math.abs(tfjs - reference),
      allowed: allowedDifference(state.tolerance, sides.scale, tfjs, reference, sides.error?.[position] ?? 0),
    };
  };
  judgeSides(sides, '==', 'all', state.tolerance, {
    each(position, kind) {
      if (kind === 'kink') {
        // not differentiable there: tfjs returns one subgradient, neither is wrong
        if (state.kinks) state.kinks.count++;
        else state.kinks = { count: 1, first: { ...element(position), forward: oneSided?.forward[position] ?? NaN, backward: oneSided?.backward[position] ?? NaN } };
        return;
      }
      if (kind === 'imprecise') {
        state.imprecise++;
        return;
      }
      // the reference could not differentiate there: nothing to hold tfjs's value against
      if (!Number.isFinite(sides.rhs[position])) {
        state.referenceNotFinite++;
        return;
      }
      state.compared++;
      const e = element(position);
      if (state.worst === null || badness(e) > badness(state.worst)) state.worst = e;
      if (departs(e)) {
        state.first ??= e;
        state.departing.set(symbol, (state.departing.get(symbol) ?? 0) + 1);
      }
    },
  });
}
