import type { CheckedClaim } from '../../src/formula/check';
import { printFormula } from '../../src/formula/printer';
import { isProductTerm, productTermOf } from '../../src/formula/productTerm';

// How far two evaluations of one sum of products, in different orders, may differ by rounding.
//
// A sum of products S = Σ_t Π_f a_f(t) (then divided by scalars and the means' ranges), computed
// in floating point with unit roundoff u in any order of its multiplications, divisions and
// additions, gives Σ_t term_t·(1 + θ_t) with |θ_t| ≤ γ_h = h·u/(1 − h·u), where h bounds the
// roundings on the way from one term to the result: at most one per factor, divisor and mean
// (count), and at most one per addition, T − 1 for T terms (Higham, Accuracy and Stability of
// Numerical Algorithms, §3.1 and §4.2). So |computed − S| ≤ γ_h·Σ_t |term_t|, and two orders
// (the planned one and the written one) differ by at most 2·γ_h·Σ_t |term_t|. The factors
// themselves are the same numbers in both orders (each is evaluated once, the same way).
// Σ_t |term_t| is the same term with every factor in abs(·), evaluated in float64.

export interface RoundingBound {
  /** the formula with every factor of its top sum of products in abs(·), the sums opened up */
  absText: string;
  /** h: roundings one term meets at most */
  roundings: number;
}

export function roundingBoundOf(claim: CheckedClaim, node: CheckedClaim['lhs']): RoundingBound {
  if (!isProductTerm(node, claim)) return { absText: `abs(${printFormula(node)})`, roundings: 1 };
  const term = productTermOf(node, claim);
  const names = term.summed.map((b) => b.name);
  if (new Set(names).size !== names.length) throw new Error('roundingBoundOf: a bound index name used twice');
  const times = term.factors.filter((f) => !f.divides).map((f) => `abs(${printFormula(f.expr)})`);
  const over = term.factors.filter((f) => f.divides).map((f) => ` / abs(${printFormula(f.expr)})`);
  let text = `${times.join(' * ')}${over.join('')}`;
  for (const b of [...term.summed].reverse()) text = `sum(${b.name}, ${text})`;
  if (term.meanRanges.length > 0) text = `(${text})${term.meanRanges.map((n) => ` / ${n}`).join('')}`;
  const terms = term.summed.reduce((n, b) => n * b.size, 1);
  return { absText: text, roundings: term.factors.length + term.meanRanges.length + terms };
}

/** γ_h for unit roundoff u. */
export const gamma = (h: number, u: number): number => (h * u) / (1 - h * u);

export const FLOAT64_UNIT = 2 ** -53;
export const FLOAT32_UNIT = 2 ** -24;
