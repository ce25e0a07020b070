import type { Algebra } from './algebra';
import { planContraction, type ContractionPlan } from './contractionPlan';
import { alignTo, type Labelled } from './evaluate';

// Runs a planned sum of products (src/formula/contractionPlan.ts) on a world's algebra: the same
// plan for float64 and for tfjs, through elementwise products, sums and batched matMul. Scalar
// factors and divisions (`* 2`, `/ N`, a mean's range) are applied to the result, in written
// order, in place when the result is the contraction's own array.

export interface EvaluatedFactor<T> {
  /** its axes named as the term names them (bound indices by their binding's id) */
  value: Labelled<T>;
  /** a scalar the term divides by */
  divides: boolean;
  /** how it reads in the formula (for the printed plan) */
  label: string;
}

interface Held<T> extends Labelled<T> {
  /** made here, so nothing else holds its array (an in-place product may write over it) */
  owned: boolean;
}

const count = (sizes: ReadonlyMap<string, number>, vars: readonly string[]): number => vars.reduce((n, v) => n * sizes.get(v)!, 1);

/** Σ over `summed` of the product of the tensor factors, then the scalars and the means' divisions. */
export function contractTerm<T>(
  A: Algebra<T>,
  factors: readonly EvaluatedFactor<T>[],
  summed: readonly string[],
  meanRanges: readonly number[],
  onPlan?: (plan: ContractionPlan) => void,
): Labelled<T> {
  const tensors = factors.filter((f) => !f.divides && f.value.vars.length > 0);
  const scalars = factors.filter((f) => f.divides || f.value.vars.length === 0);
  let result: Held<T>;
  if (tensors.length === 0) {
    // a product of scalars: the first factor multiplies (a division always has one on its left)
    result = { ...scalars.shift()!.value, owned: false };
  } else {
    const sizes = new Map<string, number>();
    for (const { value } of tensors) A.shape(value.value).forEach((s, axis) => sizes.set(value.vars[axis], s));
    const plan = planContraction({
      operands: tensors.map((f) => ({ label: f.label, vars: f.value.vars })),
      sizes,
      summed,
      scalars: [...scalars.map((f) => `${f.divides ? '÷' : '×'} ${f.label}`), ...meanRanges.map((n) => `÷ ${n} (mean)`)],
    });
    onPlan?.(plan);
    result = runPlan(A, plan, tensors.map((f) => ({ ...f.value, owned: false })), sizes);
  }
  const divisions = meanRanges.map((n) => ({ op: '/' as const, value: A.scalar(n) }));
  for (const { op, value } of [...scalars.map((f) => ({ op: f.divides ? ('/' as const) : ('*' as const), value: f.value.value })), ...divisions]) {
    result = { vars: result.vars, value: A.binary(op, result.value, alignTo(A, { vars: [], value }, result.vars), result.owned), owned: true };
  }
  return { vars: result.vars, value: result.value };
}

function runPlan<T>(A: Algebra<T>, plan: ContractionPlan, operands: Held<T>[], sizes: ReadonlyMap<string, number>): Held<T> {
  const held: Held<T>[] = [...operands];
  for (const step of plan.steps) {
    if (step.kind === 'multiply') {
      const [first, ...rest] = step.inputs.map((id) => held[id]);
      held[step.result] = rest.reduce((acc, next) => ({ vars: acc.vars, value: A.binary('*', acc.value, alignTo(A, next, acc.vars), acc.owned), owned: true }), first);
    } else if (step.kind === 'reduce') {
      held[step.result] = sumOut(A, held[step.input], step.over);
    } else {
      held[step.result] = pairwise(A, held[step.inputs[0]], held[step.inputs[1]], step.over, sizes);
    }
  }
  return held[plan.result];
}

/** Σ over `over` (in that order) of one tensor. */
function sumOut<T>(A: Algebra<T>, t: Held<T>, over: readonly string[]): Held<T> {
  let { vars, value } = t;
  for (const v of over) {
    value = A.sum(value, vars.indexOf(v));
    vars = vars.filter((w) => w !== v);
  }
  return { vars, value, owned: true };
}

/**
 * Σ_over a·b: an elementwise (broadcast) product when nothing is summed or neither has an index
 * of its own; else a batched matrix product over the kept indices both hold, [shared, onlyA, over]
 * × [shared, over, onlyB] → [shared, onlyA, onlyB].
 */
function pairwise<T>(A: Algebra<T>, a: Held<T>, b: Held<T>, over: readonly string[], sizes: ReadonlyMap<string, number>): Held<T> {
  // an index summed that only one of them holds goes first (the planner sums those out earlier)
  const alone = (t: Held<T>, other: Held<T>) => over.filter((v) => t.vars.includes(v) && !other.vars.includes(v));
  if (alone(a, b).length > 0) a = sumOut(A, a, alone(a, b));
  if (alone(b, a).length > 0) b = sumOut(A, b, alone(b, a));
  const shared = a.vars.filter((v) => b.vars.includes(v) && !over.includes(v));
  const onlyA = a.vars.filter((v) => !b.vars.includes(v));
  const onlyB = b.vars.filter((v) => !a.vars.includes(v));
  const both = over.filter((v) => a.vars.includes(v) && b.vars.includes(v));
  if (both.length === 0 || (onlyA.length === 0 && onlyB.length === 0)) {
    const vars = [...a.vars, ...onlyB];
    const product: Held<T> = { vars, value: A.binary('*', alignTo(A, a, vars), alignTo(A, b, vars), a.owned), owned: true };
    if (both.length === 0) return product;
    const kept = [...shared];
    const flat = A.reshape(alignTo(A, product, [...kept, ...both]), [count(sizes, kept), count(sizes, both)]);
    return { vars: kept, value: A.reshape(A.sum(flat, 1), kept.map((v) => sizes.get(v)!)), owned: true };
  }
  const left = A.reshape(alignTo(A, a, [...shared, ...onlyA, ...both]), [count(sizes, shared), count(sizes, onlyA), count(sizes, both)]);
  const right = A.reshape(alignTo(A, b, [...shared, ...both, ...onlyB]), [count(sizes, shared), count(sizes, both), count(sizes, onlyB)]);
  const vars = [...shared, ...onlyA, ...onlyB];
  return { vars, value: A.reshape(A.matMul(left, right), vars.map((v) => sizes.get(v)!)), owned: true };
}
