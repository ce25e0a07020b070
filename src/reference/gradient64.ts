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
