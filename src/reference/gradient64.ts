import { ridders } from './finiteDifferences';
import { cloneTensor64, type Tensor64 } from './tensor64';

/** Jacobian of a vector-valued F with respect to every element of Q, with its error estimate. */
export interface Jacobian64 {
  /** row-major [F's length, Q's size]: F component first, then Q's element */
  value: Float64Array;
  error: Float64Array;
  /** calls of F it cost */
  evaluations: number;
}

/** Initial Ridders step for an element of value q: large enough to keep rounding far below the result. */
export function initialStep(q: number): number {
  return 1e-2 * Math.max(1, Math.abs(q));
}

/**
 * ∂F/∂Q element by element: F(Q with one element moved by t), differentiated at t = 0 by
 * Ridders' extrapolated central differences. `evaluate` must not keep the tensor it is given.
 */
export function jacobian64(evaluate: (q: Tensor64) => Float64Array, base: Tensor64): Jacobian64 {
  const q = cloneTensor64(base);
  const n = q.data.length;
  let outputs = -1;
  let value = new Float64Array(0);
  let error = new Float64Array(0);
  let evaluations = 0;
  for (let m = 0; m < n; m++) {
    const origin = base.data[m];
    const estimate = ridders((t) => {
      q.data[m] = origin + t;
      const out = evaluate(q);
      q.data[m] = origin;
      return out;
    }, initialStep(origin));
    evaluations += estimate.evaluations;
    if (outputs < 0) {
      outputs = estimate.value.length;
      value = new Float64Array(outputs * n);
      error = new Float64Array(outputs * n);
    }
    for (let c = 0; c < outputs; c++) {
      value[c * n + m] = estimate.value[c];
      error[c * n + m] = estimate.error[c];
    }
  }
  return { value, error, evaluations };
}
