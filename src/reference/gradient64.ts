import { derivative64 } from './kinks';
import { cloneTensor64, type Tensor64 } from '../foundation/tensor';

export { initialStep } from './kinks';

/** Jacobian of a vector-valued F with respect to every element of Q, with its error estimate. */
export interface Jacobian64 {
  /** row-major [F's length, Q's size]: F component first, then Q's element */
  value: Float64Array;
  error: Float64Array;
  /** 1 where F is not differentiable in that element (a kink: one-sided derivatives differ); absent when nowhere */
  kink?: Uint8Array;
  /** the one-sided derivatives, laid out as `value`, present with `kink` */
  forward?: Float64Array;
  backward?: Float64Array;
  /** calls of F it cost */
  evaluations: number;
}

/**
 * ∂F/∂Q element by element: F(Q with one element moved by t), differentiated at t = 0 by
 * Ridders' extrapolated central differences, kink-aware (src/reference/kinks.ts). `evaluate`
 * must not keep the tensor it is given.
 */
export function jacobian64(evaluate: (q: Tensor64) => Float64Array, base: Tensor64): Jacobian64 {
  const q = cloneTensor64(base);
  const n = q.data.length;
  let outputs = -1;
  let result: Jacobian64 = { value: new Float64Array(0), error: new Float64Array(0), evaluations: 0 };
  for (let m = 0; m < n; m++) {
    const origin = base.data[m];
    const estimate = derivative64((t) => {
      q.data[m] = origin + t;
      const out = evaluate(q);
      q.data[m] = origin;
      return out;
    }, origin);
    if (outputs < 0) {
      outputs = estimate.value.length;
      result = { value: new Float64Array(outputs * n), error: new Float64Array(outputs * n), evaluations: 0 };
    }
    result.evaluations += estimate.evaluations;
    placeColumn(result, estimate, m, n);
  }
  return result;
}

/** Writes one element's derivative estimate (all of F's components) into column m of a Jacobian. */
export function placeColumn(into: Jacobian64, estimate: { value: Float64Array; error: Float64Array; kink: Uint8Array | null; forward?: Float64Array; backward?: Float64Array }, m: number, n: number): void {
  const outputs = estimate.value.length;
  if (estimate.kink && !into.kink) {
    into.kink = new Uint8Array(into.value.length);
    into.forward = into.value.slice();
    into.backward = into.value.slice();
  }
  for (let c = 0; c < outputs; c++) {
    const at = c * n + m;
    into.value[at] = estimate.value[c];
    into.error[at] = estimate.error[c];
    if (into.kink) {
      into.kink[at] = estimate.kink ? estimate.kink[c] : 0;
      into.forward![at] = estimate.forward ? estimate.forward[c] : estimate.value[c];
      into.backward![at] = estimate.backward ? estimate.backward[c] : estimate.value[c];
    }
  }
}
