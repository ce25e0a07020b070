import type { Algebra } from './algebra';
import { planContraction, type ContractionPlan, type PlanInput } from './contractionPlan';
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

/**
 * Steps of plans kept from one evaluation of a formula to the next, where only some indices'
 * values change between them (a block of rows of a claim's rhs, src/claim/rowBlocks.ts): a step
 * whose operands hold none of `varying` computes the same numbers every time, so it is computed
 * once (per plan: a block of another size may be planned otherwise). Only such a step that a
 * varying step reads (or that is the plan's result) is kept; the fixed steps before it are not
 * computed again.
 */
export interface StepCache<T> {
  varying: ReadonlySet<string>;
  results: WeakMap<ContractionPlan, Map<number, Labelled<T>>>;
  /** a copy of a result that outlives the evaluation it was made in (its arrays may be the evaluation's to reuse) */
  keep(value: T): T;
}

const count = (sizes: ReadonlyMap<string, number>, vars: readonly string[]): number => vars.reduce((n, v) => n * sizes.get(v)!, 1);

/**
 * The last plan of each term (a formula inside grad(…) is evaluated once per finite-difference
 * pass, over the same shapes): reused while its operands' indices and sizes stay the same.
 */
const lastPlans = new WeakMap<object, { vars: readonly (readonly string[])[]; shapes: readonly number[][]; plan: ContractionPlan }>();

function planOf(term: object, vars: readonly (readonly string[])[], shapes: readonly number[][], input: () => PlanInput): ContractionPlan {
  const last = lastPlans.get(term);
  if (last !== undefined && sameLists(last.vars, vars) && sameLists(last.shapes, shapes)) return last.plan;
  const plan = planContraction(input());
  lastPlans.set(term, { vars, shapes, plan });
  return plan;
}

function sameLists(a: readonly (readonly (string | number)[])[], b: readonly (readonly (string | number)[])[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) return false;
    for (let j = 0; j < a[i].length; j++) if (a[i][j] !== b[i][j]) return false;
  }
  return true;
}

/** Σ over `summed` of the product of the tensor factors, then the scalars and the means' divisions. */
export function contractTerm<T>(
  A: Algebra<T>,
  factors: readonly EvaluatedFactor<T>[],
  summed: readonly string[],
  meanRanges: readonly number[],
  /** the order the caller lays the result out in (the claim's free indices): the last step aims at it */
  order: readonly string[],
  /** `term`: the same object for every evaluation of one formula node (its last plan is kept) */
  { term, onPlan, steps }: { term: object; onPlan?: (plan: ContractionPlan) => void; steps?: StepCache<T> },
): Labelled<T> {
  const tensors = factors.filter((f) => !f.divides && f.value.vars.length > 0);
  const scalars = factors.filter((f) => f.divides || f.value.vars.length === 0);
  let result: Held<T>;
  if (tensors.length === 0) {
    // a product of scalars: the first factor multiplies (a division always has one on its left)
    result = { ...scalars.shift()!.value, owned: false };
  } else {
    const vars = tensors.map((f) => f.value.vars);
    const shapes = tensors.map((f) => A.shape(f.value.value));
    const sizes = new Map<string, number>();
    shapes.forEach((shape, t) => shape.forEach((s, axis) => sizes.set(vars[t][axis], s)));
    const input = (): PlanInput => ({
      operands: tensors.map((f) => ({ label: f.label, vars: f.value.vars })),
      sizes,
      summed,
      scalars: [...scalars.map((f) => `${f.divides ? '÷' : '×'} ${f.label}`), ...meanRanges.map((n) => `÷ ${n} (mean)`)],
    });
    // a plan to print is made afresh (a kept one has no labels)
    const plan = onPlan ? planContraction(input()) : planOf(term, vars, shapes, input);
    onPlan?.(plan);
    result = runPlan(A, plan, tensors.map((f) => ({ ...f.value, owned: false })), sizes, order, steps);
  }
  const divisions = meanRanges.map((n) => ({ op: '/' as const, value: A.scalar(n) }));
  for (const { op, value } of [...scalars.map((f) => ({ op: f.divides ? ('/' as const) : ('*' as const), value: f.value.value })), ...divisions]) {
    result = { vars: result.vars, value: A.binary(op, result.value, alignTo(A, { vars: [], value }, result.vars), result.owned), owned: true };
  }
  return { vars: result.vars, value: result.value };
}

function runPlan<T>(A: Algebra<T>, plan: ContractionPlan, operands: Held<T>[], sizes: ReadonlyMap<string, number>, order: readonly string[], steps?: StepCache<T>): Held<T> {
  const held: Held<T>[] = [...operands];
  // with a step cache: which held values are the same in every evaluation (their operands hold no
  // varying index), and which of them are kept (those a varying step reads, and the plan's result)
  const fixed: boolean[] = [];
  let frontier: ReadonlySet<number> | null = null;
  if (steps !== undefined) {
    for (const o of operands) fixed.push(!o.vars.some((v) => steps.varying.has(v)));
    const inputsOf = (step: ContractionPlan['steps'][number]): number[] => (step.kind === 'reduce' ? [step.input] : step.inputs);
    for (const step of plan.steps) fixed[step.result] = inputsOf(step).every((id) => fixed[id]);
    frontier = new Set([plan.result, ...plan.steps.filter((s) => !fixed[s.result]).flatMap(inputsOf)]);
  }
  const kept = steps?.results.get(plan);
  let fresh: Map<number, Labelled<T>> | undefined;
  for (const [at, step] of plan.steps.entries()) {
    if (frontier !== null && fixed[step.result] && kept !== undefined) {
      // a plan run before: its kept results stand for every fixed step before them
      if (!frontier.has(step.result)) continue;
      const known = kept.get(at);
      if (known !== undefined) {
        // never written over: a later in-place product takes only what it owns
        held[step.result] = { ...known, owned: false };
        continue;
      }
    }
    if (step.kind === 'multiply') {
      const [first, ...rest] = step.inputs.map((id) => held[id]);
      held[step.result] = rest.reduce((acc, next) => ({ vars: acc.vars, value: A.binary('*', acc.value, alignTo(A, next, acc.vars), acc.owned), owned: true }), first);
    } else if (step.kind === 'reduce') {
      held[step.result] = sumOut(A, held[step.input], step.over);
    } else {
      const [a, b] = step.inputs.map((id) => held[id]);
      held[step.result] = pairwise(A, a, b, step.over, sizes, step.result === plan.result ? order : null);
    }
    if (steps !== undefined && frontier !== null && fixed[step.result] && frontier.has(step.result)) {
      const result = { vars: held[step.result].vars, value: steps.keep(held[step.result].value) };
      held[step.result] = { ...result, owned: false };
      (fresh ??= new Map()).set(at, result);
    }
  }
  // kept once the plan has run to its end: a run cut short by an error leaves nothing half kept
  if (fresh !== undefined && steps !== undefined) steps.results.set(plan, fresh);
  return held[plan.result];
}

/** Σ over `over` (in that order) of one tensor. */
function sumOut<T>(A: Algebra<T>, t: Held<T>, over: readonly string[]): Held<T> {
  let { vars, value } = t;
  for (const v of over) {
    value = A.sum(value, vars.indexOf(v));
    vars = vars.filter((w) => w !== v);
  }
  return { vars, value, owned: t.owned || over.length > 0 };
}

const sameOrder = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Σ_over a·b: an elementwise (broadcast) product when nothing is summed or neither has an index
 * of its own (then summed); else a batched matrix product over the kept indices both hold,
 * [shared, onlyFirst, over] × [shared, over, onlySecond] → [shared, onlyFirst, onlySecond].
 * Which operand comes first is chosen to copy the fewest elements: an operand not laid out as
 * its side needs is transposed, and so is a result not in `order` (the claim's order of free
 * indices, for the last step) when the caller lays it out.
 */
function pairwise<T>(A: Algebra<T>, a: Held<T>, b: Held<T>, over: readonly string[], sizes: ReadonlyMap<string, number>, order: readonly string[] | null): Held<T> {
  // an index summed that only one of them holds goes first (the planner sums those out earlier)
  const alone = (t: Held<T>, other: Held<T>) => over.filter((v) => t.vars.includes(v) && !other.vars.includes(v));
  if (alone(a, b).length > 0) a = sumOut(A, a, alone(a, b));
  if (alone(b, a).length > 0) b = sumOut(A, b, alone(b, a));
  const both = over.filter((v) => a.vars.includes(v) && b.vars.includes(v));
  const copied = (t: Held<T>, layout: readonly string[]) => (sameOrder(t.vars.filter((v) => layout.includes(v)), layout.filter((v) => t.vars.includes(v))) ? 0 : count(sizes, t.vars));
  const misordered = (vars: readonly string[]) => {
    if (order === null) return 0;
    const wanted = [...order.filter((v) => vars.includes(v)), ...vars.filter((v) => !order.includes(v))];
    return sameOrder(vars, wanted) ? 0 : count(sizes, vars);
  };
  const sameIndices = a.vars.length === b.vars.length && a.vars.every((v) => b.vars.includes(v));
  if (both.length === 0 || sameIndices) {
    // lay the product out as one of them, the other's own indices after
    const layouts = [a, b].map((first) => {
      const second = first === a ? b : a;
      const vars = [...first.vars, ...second.vars.filter((v) => !first.vars.includes(v))];
      return { first, second, vars, cost: copied(second, vars) + misordered(vars.filter((v) => !both.includes(v))) };
    });
    const { first, second, vars } = layouts[1].cost < layouts[0].cost ? layouts[1] : layouts[0];
    const product: Held<T> = { vars, value: A.binary('*', alignTo(A, first, vars), alignTo(A, second, vars), first.owned && first.vars.length === vars.length), owned: true };
    return both.length === 0 ? product : sumOut(A, product, both);
  }
  const layouts = [a, b].map((first) => {
    const second = first === a ? b : a;
    const shared = first.vars.filter((v) => second.vars.includes(v) && !both.includes(v));
    const onlyFirst = first.vars.filter((v) => !second.vars.includes(v));
    const onlySecond = second.vars.filter((v) => !first.vars.includes(v));
    const left = [...shared, ...onlyFirst, ...both];
    const right = [...shared, ...both, ...onlySecond];
    const vars = [...shared, ...onlyFirst, ...onlySecond];
    return { first, second, shared, onlyFirst, onlySecond, left, right, vars, cost: copied(first, left) + copied(second, right) + misordered(vars) };
  });
  const { first, second, shared, onlyFirst, onlySecond, left, right, vars } = layouts[1].cost < layouts[0].cost ? layouts[1] : layouts[0];
  const l = A.reshape(alignTo(A, first, left), [count(sizes, shared), count(sizes, onlyFirst), count(sizes, both)]);
  const r = A.reshape(alignTo(A, second, right), [count(sizes, shared), count(sizes, both), count(sizes, onlySecond)]);
  return { vars, value: A.reshape(A.matMul(l, r), vars.map((v) => sizes.get(v)!)), owned: true };
}
