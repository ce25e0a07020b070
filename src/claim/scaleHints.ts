import * as tf from '@tensorflow/tfjs';
import type { Scenario } from '../scenario/schema';
import { parameterNames } from '../model/symbols';
import { LARGE_TENSOR } from '../reference/world64';
import { forwardTf, type TrialTensors } from '../tfjs/networkTf';
import { allowedDifference, type Tolerance } from './tolerances';
import type { Relation, Sides } from './compare';

// Where the reference should look, learnt from the tfjs world. Only places: every value the
// reference reports is its own float64 finite difference at that place.

/** Flat element of largest |∂E/∂P| by tfjs autodiff, for each parameter larger than LARGE_TENSOR. */
export function largestGradientElements(scenario: Scenario, inputs: TrialTensors): Map<string, number> {
  const names = parameterNames(scenario.model);
  const large = names.filter((n) => {
    const l = Number(n.slice(1)) - 1;
    return n.startsWith('W') ? inputs.weights[l].size > LARGE_TENSOR : (inputs.biases[l]?.size ?? 0) > LARGE_TENSOR;
  });
  if (large.length === 0) return new Map();
  let found = new Map<string, number>();
  tf.tidy(() => {
    const tensorOf = (n: string): tf.Tensor => (n.startsWith('W') ? inputs.weights[Number(n.slice(1)) - 1] : inputs.biases[Number(n.slice(1)) - 1]!);
    const grads = tf.grads((...ps: tf.Tensor[]) => {
      const swap = (n: string, t: tf.Tensor): tf.Tensor => (large.includes(n) ? ps[large.indexOf(n)] : t);
      const shadow: TrialTensors = {
        ...inputs,
        weights: inputs.weights.map((w, i) => swap(`W${i + 1}`, w) as tf.Tensor2D),
        biases: inputs.biases.map((b, i) => (b ? (swap(`b${i + 1}`, b) as tf.Tensor1D) : null)),
      };
      return forwardTf(scenario.model, shadow).get('E')!;
    })(large.map(tensorOf));
    found = new Map(large.map((n, i) => [n, tf.argMax(tf.abs(tf.reshape(grads[i], [-1]))).dataSync()[0]]));
  });
  return found;
}

/**
 * The `count` elements where the tfjs world's sides are furthest past (or closest to) the
 * relation's limit, in units of their allowance; non-finite ones first.
 */
export function worstElements(sides: Sides, rel: Relation, tol: Tolerance, count: number): number[] {
  const top: { flat: number; score: number }[] = [];
  for (let flat = 0; flat < sides.lhs.length; flat++) {
    if (sides.mask && !sides.mask[flat]) continue;
    const l = sides.lhs[flat];
    const r = sides.rhs[flat];
    const allowed = allowedDifference(tol, sides.scale, l, r, 0);
    const past = rel === '==' ? Math.abs(l - r) : rel === '!=' ? -Math.abs(l - r) : rel === '<' || rel === '<=' ? l - r : r - l;
    let score = allowed > 0 ? past / allowed : past;
    if (!Number.isFinite(score)) score = Infinity;
    if (top.length < count || score > top[top.length - 1].score) {
      let at = top.length < count ? top.length : top.length - 1;
      while (at > 0 && top[at - 1].score < score) at--;
      top.splice(at, 0, { flat, score });
      if (top.length > count) top.pop();
    }
  }
  return top.map((t) => t.flat);
}
