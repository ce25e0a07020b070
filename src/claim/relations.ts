// The relations a claim may state, as one table: whether an element passes, how far past the
// relation's limit it is, and how the vacuity self-test moves its rhs across that limit. Every
// judgement (claims, the self-test, explain, the gradient agreement check) reads this table.

export type Relation = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type Quantifier = 'all' | 'any';

export interface RelationRule {
  /** whether lhs `l` stands in the relation to rhs `r` with `allowed` as the tolerance */
  passes(l: number, r: number, allowed: number): boolean;
  /** signed distance past the relation's limit (not yet in units of `allowed`): ≤ 0 passes (strict relations fail at 0) */
  excess(l: number, r: number, allowed: number): number;
  /** the rhs moved by `step` across the relation's limit */
  moved(l: number, r: number, step: number): number;
}

export const RELATIONS: Readonly<Record<Relation, RelationRule>> = {
  '==': {
    passes: (l, r, allowed) => Math.abs(l - r) <= allowed,
    excess: (l, r, allowed) => Math.abs(l - r) - allowed,
    moved: (l, r, step) => (r >= l ? r + step : r - step),
  },
  '!=': {
    passes: (l, r, allowed) => Math.abs(l - r) > allowed,
    excess: (l, r, allowed) => allowed - Math.abs(l - r),
    moved: (l) => l,
  },
  '<': {
    passes: (l, r, allowed) => l < r - allowed,
    excess: (l, r, allowed) => l - (r - allowed),
    moved: (l, _r, step) => l - step,
  },
  '<=': {
    passes: (l, r, allowed) => l <= r + allowed,
    excess: (l, r, allowed) => l - (r + allowed),
    moved: (l, _r, step) => l - step,
  },
  '>': {
    passes: (l, r, allowed) => l > r + allowed,
    excess: (l, r, allowed) => r + allowed - l,
    moved: (l, _r, step) => l + step,
  },
  '>=': {
    passes: (l, r, allowed) => l >= r - allowed,
    excess: (l, r, allowed) => r - allowed - l,
    moved: (l, _r, step) => l + step,
  },
};

/** An excess in units of the allowance (≤ 0 passes, > 0 fails). */
export function relativeExcess(excess: number, allowed: number): number {
  return allowed > 0 ? excess / allowed : excess > 0 ? Infinity : excess < 0 ? -Infinity : 0;
}
