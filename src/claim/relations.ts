import { pick } from '../foundation/branchless';

// The relations a claim may state, as one table of numbers: whether an element passes, how far
// past the relation's limit it is, and how the vacuity self-test moves its rhs across that limit
// all follow from an entry's fields (excessOf, passesAt, movedAcross). Every judgement (claims,
// the self-test, explain, the gradient agreement check) reads this table; the judging loop
// (judge.ts) reads the same fields inline, so that it makes no call per element.

export type Relation = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type Quantifier = 'all' | 'any';

export interface RelationRule {
  /**
   * true: |lhs − rhs| is compared with the allowance (== and !=); false: lhs is compared with the
   * limit rhs + shift·allowance (the orderings)
   */
  absolute: boolean;
  /** the orderings' limit: rhs + shift·allowance */
  shift: 1 | -1;
  /** excess = sign·(compared − limit): |lhs − rhs| − allowance for ==, lhs − limit for < and <= */
  sign: 1 | -1;
  /** passes only below the limit (excess < 0), else at it too (excess ≤ 0) */
  strict: boolean;
  /**
   * how the self-test moves the rhs by a step: 0 away from the lhs (==), else onto the lhs moved
   * by `moves`·step (!= onto the lhs itself, the orderings past it)
   */
  moves: 0 | 1 | -1;
}

export const RELATIONS: Readonly<Record<Relation, RelationRule>> = {
  '==': { absolute: true, shift: 1, sign: 1, strict: false, moves: 0 },
  '!=': { absolute: true, shift: 1, sign: -1, strict: true, moves: 0 },
  '<': { absolute: false, shift: -1, sign: 1, strict: true, moves: -1 },
  '<=': { absolute: false, shift: 1, sign: 1, strict: false, moves: -1 },
  '>': { absolute: false, shift: 1, sign: -1, strict: true, moves: 1 },
  '>=': { absolute: false, shift: -1, sign: -1, strict: false, moves: 1 },
};

/**
 * Signed distance of lhs `l` past the relation's limit with rhs `r` and allowance `allowed` (not
 * yet in units of `allowed`): ≤ 0 passes, strict relations fail at 0. Its sign is exact: a
 * difference of two finite doubles is negative exactly when the first is smaller.
 */
export function excessOf(rule: RelationRule, l: number, r: number, allowed: number): number {
  return rule.absolute ? rule.sign * (Math.abs(l - r) - allowed) : rule.sign * (l - (r + rule.shift * allowed));
}

/** Whether an element with this excess stands in the relation. */
export function passesAt(rule: RelationRule, excess: number): boolean {
  return rule.strict ? excess < 0 : excess <= 0;
}

/** Whether lhs `l` stands in the relation to rhs `r` with `allowed` as the tolerance. */
export function passes(rule: RelationRule, l: number, r: number, allowed: number): boolean {
  return passesAt(rule, excessOf(rule, l, r, allowed));
}

/** The rhs moved by `step` across the relation's limit (the vacuity self-test). */
export function movedAcross(rule: RelationRule, l: number, r: number, step: number): number {
  // r ± step, away from l; which side r is on has no pattern over the elements: picked without a
  // branch (src/foundation/branchless.ts)
  if (rule.moves === 0) return rule.sign < 0 ? l : pick(r >= l, r + step, r - step);
  return l + rule.moves * step;
}

/** An excess in units of the allowance (≤ 0 passes, > 0 fails). */
export function relativeExcess(excess: number, allowed: number): number {
  return allowed > 0 ? excess / allowed : excess > 0 ? Infinity : excess < 0 ? -Infinity : 0;
}
