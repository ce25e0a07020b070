// Float64 arrays of the network's size that one claim's check in one trial needs one after
// another (the sampled check's direction, then the vacuity self-test's moved rhs): the second
// takes the array the first gave back instead of a new one. Dropped with the claim's trial, so
// nothing stays live next to the next claim's arrays.

export class ScratchArrays {
  private free: Float64Array[] = [];

  /** An array of `length` (contents unspecified: the taker writes every element it reads). */
  take(length: number): Float64Array {
    const at = this.free.findIndex((a) => a.length === length);
    return at >= 0 ? this.free.splice(at, 1)[0] : new Float64Array(length);
  }

  /** Gives an array back for a later `take`; the giver must not use it any more. */
  give(array: Float64Array): void {
    this.free.push(array);
  }
}
