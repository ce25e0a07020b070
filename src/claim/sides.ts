// Both sides of a claim in one world, laid out over the claim's free indices: what every
// judgement reads (src/claim/judge.ts).

/** One side's numbers: float64, or float32 as read back from tfjs (never copied to float64). */
export type SideValues = Float64Array | Float32Array;

/**
 * Both sides of a claim laid out over its free indices (row-major over `sizes`). With `at`
 * (sparse sides), every per-element array (lhs, rhs, error, mask, kink, oneSided) holds only the
 * elements at those flat positions, in that order, and no other element is selected.
 */
export interface Sides {
  vars: string[];
  sizes: number[];
  lhs: SideValues;
  rhs: SideValues;
  /** the reference's own error bound per element (lhs + rhs), absent in the tfjs world */
  error: Float64Array | null;
  /** 1 where `where` selects the element; null selects all */
  mask: Uint8Array | null;
  /** sparse sides: the flat position of each stored element, ascending; absent: dense (position = flat) */
  at?: Int32Array | null;
  /**
   * a block of dense sides (src/claim/rowBlocks.ts): the arrays hold the elements from this flat
   * position on, `sizes` stay the claim's own
   */
  offset?: number;
  /** magnitude that absolute tolerances are scaled by */
  scale: number;
  /**
   * per element, an absolute allowance added to the tolerance: the rounding the world's precision
   * forces on numbers of that size (a claim judged on the step, src/claim/stepSides.ts). Part of
   * the tolerance, not an estimate: the estimate's rule (src/claim/judge.ts) does not apply to it.
   */
  floor?: Float64Array | null;
  /** 1 where the reference took a derivative at a kink (not differentiable there): not judged in either world */
  kink?: Uint8Array | null;
  /** with `kink`: lhs and rhs as computed from the forward, and the backward, one-sided derivatives */
  oneSided?: { forward: { lhs: SideValues; rhs: SideValues }; backward: { lhs: SideValues; rhs: SideValues } } | null;
}

/** Flat position (over `sizes`) of the element stored at `position` of the sides' arrays. */
export const flatOf = (sides: Sides, position: number): number => (sides.at ? sides.at[position] : (sides.offset ?? 0) + position);

/** Elements of the claim's layout: the product of `sizes` (the dense sides' length). */
export const elementCount = (sides: Sides): number => sides.sizes.reduce((a, b) => a * b, 1);
