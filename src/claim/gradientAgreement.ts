import { unravel } from '../foundation/indices';
import { referenceWorld } from '../reference/world64';
import { computationOf } from '../scenario/computationOf';
import type { Scenario } from '../scenario/schema';
import { drawTrial } from '../scenario/trialValues';
import { disposeTrialTensors, trialTensors } from '../tfjs/trialTensors';
import { tfjsTrial, type TfTrial } from '../tfjs/worldTf';
import { judgeSides } from './judge';
import type { Sides } from './sides';
import { allowedDifference, GRADIENT_AGREEMENT_TOLERANCE, type Tolerance } from './tolerances';

/** One element compared: tfjs autodiff against the float64 reference. */
export interface GradientElement {
  symbol: string;
  index: number[];
  tfjs: number;
  reference: number;
  difference: number;
  allowed: number;
  trial: number;
  seed: number;
}

export interface GradientAgreement {
  agrees: boolean;
  tolerance: Tolerance;
  /** the element closest to (or furthest past) its allowed difference, over all symbols and trials */
  worst: GradientElement | null;
  /** every element past its allowed difference (at most `keep`) */
  mismatches: GradientElement[];
  compared: number;
  /** elements not compared because the reference found a kink there (one-sided derivatives differ); absent when none */
  kinks?: { count: number; first: GradientElement & { forward: number; backward: number } };
  /** elements not compared because the reference's error estimate would decide them (claim/judge.ts); absent when none */
  imprecise?: number;
}

/** Largest finite |v|: one non-finite element must not make every allowance of its symbol NaN. */
function maxAbsFinite(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) if (Number.isFinite(data[i])) m = Math.max(m, Math.abs(data[i]));
  return m;
}

/** A world's ∂E/∂symbol, which every symbol the check compares has. */
function lossGradientOf<T>(g: T | null | undefined, symbol: string): T {
  if (!g) throw new Error(`no ∂E/∂${symbol} in this network`);
  return g;
}

/** worst first: by difference / allowed, non-finite first of all */
function badness(e: GradientElement): number {
  if (!Number.isFinite(e.tfjs) || !Number.isFinite(e.reference)) return Infinity;
  return e.allowed > 0 ? e.difference / e.allowed : e.difference > 0 ? Infinity : 0;
}

/**
 * The built-in check on every scenario: ∂E/∂(each tensor and each definition; a network's: each
 * parameter, the input and each intermediate)
 * by tfjs autodiff agrees with the float64 finite-difference reference, in every trial. Both are
 * the worlds' own lossGradient, the ∂E/∂P the claims read: the reference world's (element by
 * element, with its error estimate and kinks) and the tfjs trial's (the parameters from its one
 * tf.grads, the input and the intermediates by one tf.grad each, asked for here only).
 */
export function checkGradientAgreement(
  scenario: Scenario,
  options: { trials?: number; seed?: number; tolerance?: Tolerance; keep?: number } = {},
): GradientAgreement {
  const tolerance = options.tolerance ?? GRADIENT_AGREEMENT_TOLERANCE;
  const keep = options.keep ?? 20;
  const trials = options.trials ?? scenario.trials;
  const computation = computationOf(scenario);
  const symbols = computation.compared;
  const params = new Set(computation.parameters);
  let worst: GradientElement | null = null;
  const mismatches: GradientElement[] = [];
  let compared = 0;
  let kinks: GradientAgreement['kinks'];
  let imprecise = 0;
  for (let trial = 0; trial < trials; trial++) {
    const values = drawTrial(scenario, trial, options.seed);
    const world = referenceWorld(scenario, values);
    const reference = new Map(symbols.map((s) => [s, lossGradientOf(world.lossGradient?.(s), s)]));
    // "zero" is judged next to the largest parameter gradient of this network
    let networkScale = 0;
    for (const [s, g] of reference) if (params.has(s)) networkScale = Math.max(networkScale, maxAbsFinite(g.data));
    const inputs = trialTensors(values);
    let tfTrial: TfTrial | null = null;
    try {
      tfTrial = tfjsTrial(scenario, values, inputs, { withGradients: true, alsoDifferentiate: symbols });
      for (const symbol of symbols) {
        const ref = reference.get(symbol)!;
        // the trial's own tensor: disposed with the trial
        const read = lossGradientOf(tfTrial.lossGradient(symbol), symbol).dataSync();
        const got = read instanceof Float32Array ? read : Float64Array.from(read);
        const scale = Math.max(maxAbsFinite(ref.data), networkScale);
        const element = (i: number): GradientElement => ({
          symbol,
          index: unravel(i, ref.shape),
          tfjs: got[i],
          reference: ref.data[i],
          difference: Math.abs(got[i] - ref.data[i]),
          allowed: allowedDifference(tolerance, scale, got[i], ref.data[i], ref.error?.[i] ?? 0),
          trial,
          seed: values.seed,
        });
        // tfjs's gradient is the lhs and the reference's the rhs of one `==` judgement (claim/judge.ts)
        const sides: Sides = { vars: [], sizes: ref.shape, lhs: got, rhs: ref.data, error: ref.error ?? null, mask: null, scale, kink: ref.kink ?? null };
        judgeSides(sides, '==', 'all', tolerance, {
          each(i, kind) {
            if (kind === 'kink') {
              // not differentiable there: tfjs returns one subgradient, neither is wrong
              kinks = kinks ? { ...kinks, count: kinks.count + 1 } : { count: 1, first: { ...element(i), forward: ref.oneSided!.forward[i], backward: ref.oneSided!.backward[i] } };
              return;
            }
            if (kind === 'imprecise') {
              imprecise++;
              return;
            }
            const e = element(i);
            compared++;
            const b = badness(e);
            if (worst === null || b > badness(worst) || Number.isNaN(b)) worst = e;
            if (!(b <= 1) && mismatches.length < keep) mismatches.push(e);
          },
        });
      }
    } finally {
      tfTrial?.dispose();
      disposeTrialTensors(inputs);
    }
  }
  return { agrees: mismatches.length === 0, tolerance, worst, mismatches, compared, ...(kinks ? { kinks } : {}), ...(imprecise > 0 ? { imprecise } : {}) };
}

export function describeGradientElement(e: GradientElement): string {
  if (!Number.isFinite(e.reference)) return `∂E/∂${e.symbol}[${e.index.join(',')}] in trial ${e.trial} (seed ${e.seed}): the reference is ${e.reference} (finite differences found no finite derivative there), tfjs ${e.tfjs}`;
  return `∂E/∂${e.symbol}[${e.index.join(',')}] in trial ${e.trial} (seed ${e.seed}): tfjs ${e.tfjs}, reference ${e.reference}, difference ${e.difference.toExponential(3)}, allowed ${e.allowed.toExponential(3)}`;
}

/** `3 elements at a kink not compared, first ∂E/∂W1[0,0] in trial 0 (seed 1): one-sided derivatives 0 (backward) and 0.5 (forward), tfjs 0` */
export function describeGradientKinks(k: NonNullable<GradientAgreement['kinks']>): string {
  const e = k.first;
  return `${k.count} element${k.count === 1 ? '' : 's'} at a kink not compared, first ∂E/∂${e.symbol}[${e.index.join(',')}] in trial ${e.trial} (seed ${e.seed}): one-sided derivatives ${e.backward} (backward) and ${e.forward} (forward), tfjs ${e.tfjs}`;
}
