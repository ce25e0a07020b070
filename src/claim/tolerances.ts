// Where tolerances are decided. Each world compares with its own: float64 tight, float32 loose.
// An element passes when |lhs − rhs| ≤ atol·scale + rtol·max(|lhs|, |rhs|) + (reference error
// estimate), where `scale` is the magnitude of the quantities involved (for gradients, at least
// the largest gradient of E in that network), so "is zero" means zero next to its neighbours.
// The estimate may decide an element only while it is well below the rest (ESTIMATE_SHARE).
// The numbers come from measurement; see docs/judging.md, "Tolerances".

export interface Tolerance {
  rtol: number;
  atol: number;
}

export type WorldName = 'reference' | 'tfjs';

export const DEFAULT_TOLERANCE: Record<WorldName, Tolerance> = {
  reference: { rtol: 1e-7, atol: 1e-8 },
  tfjs: { rtol: 1e-4, atol: 1e-5 },
};

/** The built-in check that tfjs autodiff agrees with the float64 reference gradient. */
export const GRADIENT_AGREEMENT_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

/**
 * The largest share of an element's tolerance (atol·scale + rtol·max(|lhs|, |rhs|)) that the
 * reference's error estimate may be and still decide the element, i.e. pass (or fail) it when
 * the tolerance alone would not: the estimate stretches an allowance by at most 1.5×. A larger
 * estimate is not "precise to well below the tolerance" (DESIGN §3): such an element is not
 * judged (src/claim/compare.ts). Over every shipped scenario the largest estimate is 0.20 of its
 * element's tolerance (`npm run measure:tolerances`; docs/judging.md).
 */
export const ESTIMATE_SHARE = 0.5;

/** Allowed |a − b| for one element. */
export function allowedDifference(tol: Tolerance, scale: number, a: number, b: number, extra = 0): number {
  return tol.atol * scale + tol.rtol * Math.max(Math.abs(a), Math.abs(b)) + extra;
}
