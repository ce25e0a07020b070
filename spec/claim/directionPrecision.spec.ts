import { checkDirection, DIRECTION_CONFIDENCE, type Projection } from '../../src/claim/sampledGradientCheck';

// A direction of the sampled check is judged like an element (spec/claim/estimatePrecision.spec.ts):
// the finite-difference error of D_v F may decide it only while it is at most half the allowance
// without it (7σ + rounding); otherwise the direction is imprecise, not a pass.

// one element (m = 1, v = 1): ⟨v, rhs⟩ = projected, 7σ = 1e-8, rounding negligible
const projection = (projected: number): Projection => ({ projected, magnitude: Math.abs(projected), variance: (1e-8 / DIRECTION_CONFIDENCE) ** 2, m: 1 });

describe('checkDirection', () => {
  it('a difference within the allowance without the estimate passes, whatever the estimate', () => {
    const r = checkDirection(0, { value: 1 + 5e-9, error: 1e-7 }, projection(1));
    expect({ passes: r.report.passes, imprecise: r.imprecise }).toEqual({ passes: true, imprecise: false });
  });

  it('a difference that passes only with an estimate larger than half the allowance is imprecise, not a pass', () => {
    const r = checkDirection(0, { value: 1 + 3e-8, error: 1e-7 }, projection(1));
    expect({ passes: r.report.passes, imprecise: r.imprecise }).toEqual({ passes: true, imprecise: true });
    // 7σ plus the rounding bound of ⟨v, rhs⟩ (about 1e-16 here)
    expect(Math.abs(r.tolerance - 1e-8)).toBeLessThan(1e-15);
  });

  it('an estimate within half the allowance may carry the difference', () => {
    const r = checkDirection(0, { value: 1 + 1.2e-8, error: 4e-9 }, projection(1));
    expect({ passes: r.report.passes, imprecise: r.imprecise }).toEqual({ passes: true, imprecise: false });
  });

  it('a difference past the allowance with the estimate is refuted, however large the estimate', () => {
    const r = checkDirection(0, { value: 1 + 3e-7, error: 1e-7 }, projection(1));
    expect({ passes: r.report.passes, imprecise: r.imprecise }).toEqual({ passes: false, imprecise: false });
  });
});
