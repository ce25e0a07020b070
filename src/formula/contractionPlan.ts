// The order in which a sum of products is evaluated, planned over the index sets of its factors
// alone (no numbers), as opt_einsum plans an einsum: Σ_{n,k} x[n,i]·φ[n,j]·d[n,k]·W[j,k] is
// run as d·W over k (an [n,j] array), times φ, then contracted with x over n, and never as the
// [n,i,j] product the written order would build.
//
// 1. Factors with the same index set are multiplied first (elementwise, no array grows).
// 2. An index summed over and held by one factor only is summed out of that factor at once.
// 3. The remaining factors are contracted pairwise, in the order whose largest intermediate is
//    smallest, then that needs the fewest multiply-adds; an intermediate no larger than the
//    largest operand or the result counts as that size (an array that large is there anyway),
//    so among the orders that stay within it the fewest multiply-adds decide. Every order is
//    searched (dynamic programming over subsets, keeping each subset's Pareto front of
//    (largest, flops)) up to OPTIMAL_LIMIT factors; beyond that, greedily, one pair at a time.
//
// An index is summed out in the first step after which no other factor holds it. The plan is
// pure data: the evaluator runs it on either world's algebra (matMul, never einsum), and
// printPlan shows it as opt_einsum prints a path.

export interface PlanOperand {
  /** how the factor reads in the formula, for the printed plan */
  label: string;
  vars: readonly string[];
}

export interface PlanInput {
  operands: readonly PlanOperand[];
  /** the size of every index variable an operand uses */
  sizes: ReadonlyMap<string, number>;
  /** the index variables summed over, outermost first */
  summed: readonly string[];
  /** what is applied to the result afterwards (scalar factors, divisions), for the printed plan */
  scalars?: readonly string[];
}

/**
 * One step; ids 0…m−1 are the operands, m… the steps' results in order.
 * - multiply: operands with the same index set, multiplied elementwise in the order given
 * - reduce: summed over indices no other factor holds (innermost first)
 * - contract: a pairwise product summed over `over` (none: an elementwise, broadcast product)
 */
export type PlanStep =
  | { kind: 'multiply'; inputs: number[]; result: number }
  | { kind: 'reduce'; input: number; over: string[]; result: number }
  | { kind: 'contract'; inputs: [number, number]; over: string[]; result: number };

export interface ContractionPlan {
  input: PlanInput;
  /** index set of every id (operands, then step results), in order of first appearance */
  vars: string[][];
  steps: PlanStep[];
  /** the id that holds the result (an operand when there is no step) */
  result: number;
  /** elements of the largest operand, of the result and of the largest step result */
  largestOperand: number;
  resultSize: number;
  largestIntermediate: number;
  /** multiply-adds of the plan, and of the written order's broadcast product summed at the end */
  flops: number;
  writtenFlops: number;
  search: 'optimal' | 'greedy' | 'none';
  /**
   * Some intermediate is larger than both the largest operand and the result. The pairwise
   * search minimises the largest intermediate first, so with `search: 'optimal'` no pairwise
   * order avoids it (e.g. Σ_k a[i,k]·b[j,k]·c[l,k] needs an array with three of i, j, l, k;
   * a greedy search may miss an order that does).
   */
  exceeds: boolean;
}

/** Up to this many factors (after step 1) every pairwise order is searched. */
export const OPTIMAL_LIMIT = 10;

const sizeOfVars = (vars: Iterable<string>, sizes: ReadonlyMap<string, number>): number => {
  let n = 1;
  for (const v of vars) n *= sizes.get(v)!;
  return n;
};

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((v) => b.includes(v));

export function planContraction(input: PlanInput): ContractionPlan {
  const { operands, sizes, summed } = input;
  if (operands.length === 0) throw new Error('planContraction: a product of no tensors (scalars are applied by the caller)');
  for (const o of operands) for (const v of o.vars) if (!sizes.has(v)) throw new Error(`planContraction: no size for index ${v}`);
  const vars: string[][] = operands.map((o) => [...new Set(o.vars)]);
  const steps: PlanStep[] = [];
  const add = (step: PlanStep, stepVars: string[]): number => {
    steps.push(step);
    vars.push(stepVars);
    return step.result;
  };
  const nextId = () => vars.length;
  const all = [...new Set(vars.flat())];
  const output = all.filter((v) => !summed.includes(v));
  let flops = 0;

  // 1. same index sets: one elementwise product per group, in written order
  let live: number[] = [];
  const grouped = new Set<number>();
  vars.slice(0, operands.length).forEach((set, id) => {
    if (grouped.has(id)) return;
    const group = operands.map((_, other) => other).filter((other) => other >= id && !grouped.has(other) && sameSet(vars[other], set));
    group.forEach((g) => grouped.add(g));
    if (group.length === 1) live.push(id);
    else {
      flops += (group.length - 1) * sizeOfVars(set, sizes);
      live.push(add({ kind: 'multiply', inputs: group, result: nextId() }, [...set]));
    }
  });

  // 2. summed indices held by one factor only
  live = live.map((id) => {
    const over = summed.filter((v) => vars[id].includes(v) && live.every((other) => other === id || !vars[other].includes(v))).reverse();
    if (over.length === 0) return id;
    flops += sizeOfVars(vars[id], sizes);
    return add({ kind: 'reduce', input: id, over, result: nextId() }, vars[id].filter((v) => !over.includes(v)));
  });

  // 3. pairwise
  let search: ContractionPlan['search'] = 'none';
  if (live.length > 1) {
    search = live.length <= OPTIMAL_LIMIT ? 'optimal' : 'greedy';
    const cap = Math.max(sizeOfVars(output, sizes), ...operands.map((_, id) => sizeOfVars(vars[id], sizes)));
    const order = (search === 'optimal' ? optimalOrder : greedyOrder)(live.map((id) => vars[id]), output, sizes, cap);
    const ids = [...live];
    for (const [a, b] of order) {
      const left = ids[a];
      const right = ids[b];
      const rest = ids.filter((_, k) => k !== a && k !== b);
      const union = [...vars[left], ...vars[right].filter((v) => !vars[left].includes(v))];
      const kept = union.filter((v) => output.includes(v) || rest.some((r) => vars[r].includes(v)));
      flops += sizeOfVars(union, sizes);
      const id = add({ kind: 'contract', inputs: [left, right], over: union.filter((v) => !kept.includes(v)), result: nextId() }, kept);
      ids.splice(Math.max(a, b), 1);
      ids.splice(Math.min(a, b), 1, id);
    }
    live = ids;
  }

  const result = live[0];
  const stepSizes = steps.map((s) => sizeOfVars(vars[s.result], sizes));
  const largestOperand = Math.max(1, ...operands.map((_, id) => sizeOfVars(vars[id], sizes)));
  const resultSize = sizeOfVars(vars[result], sizes);
  const largestIntermediate = Math.max(0, ...stepSizes);
  const everything = sizeOfVars(all, sizes);
  return {
    input,
    vars,
    steps,
    result,
    largestOperand,
    resultSize,
    largestIntermediate,
    flops,
    writtenFlops: everything * Math.max(1, operands.length - 1) + (summed.length > 0 ? everything : 0),
    search,
    exceeds: largestIntermediate > Math.max(largestOperand, resultSize),
  };
}

/** A pairwise order: positions in the shrinking list of factors (the result takes the lower position). */
type PairOrder = [number, number][];

interface FrontEntry {
  largest: number;
  flops: number;
  /** the two halves (bit masks of factors) and their entries; absent for a single factor */
  split?: { left: number; right: number; li: number; ri: number };
}

/**
 * Every contraction tree over the factors, by dynamic programming over subsets: for each subset
 * the Pareto front of (largest intermediate, multiply-adds) of its trees. The subset's own
 * result keeps the indices that the output or a factor outside it still needs.
 */
function optimalOrder(sets: string[][], output: readonly string[], sizes: ReadonlyMap<string, number>, cap: number): PairOrder {
  // index sets as bit masks (a formula has far fewer than 31 index variables)
  const names = [...new Set([...sets.flat(), ...output])];
  const bitsOf = (vars: Iterable<string>) => [...vars].reduce((bits, v) => bits | (1 << names.indexOf(v)), 0);
  const bitSizes = names.map((v) => sizes.get(v)!);
  const sizeOfBits = (bits: number) => {
    let n = 1;
    for (let b = 0; b < bitSizes.length; b++) if (bits & (1 << b)) n *= bitSizes[b];
    return n;
  };
  const outputBits = bitsOf(output);
  const p = sets.length;
  const full = (1 << p) - 1;
  const union = new Int32Array(full + 1);
  for (let mask = 1; mask <= full; mask++) union[mask] = union[mask & (mask - 1)] | bitsOf(sets[31 - Math.clz32(mask & -mask)]);
  const kept = new Int32Array(full + 1);
  const keptSize = new Float64Array(full + 1);
  for (let mask = 1; mask <= full; mask++) {
    kept[mask] = union[mask] & (outputBits | union[full ^ mask]);
    keptSize[mask] = sizeOfBits(kept[mask]);
  }
  const fronts: FrontEntry[][] = new Array(full + 1);
  for (let i = 0; i < p; i++) fronts[1 << i] = [{ largest: 0, flops: 0 }];
  for (let mask = 1; mask <= full; mask++) {
    if ((mask & (mask - 1)) === 0) continue;
    const low = mask & -mask;
    const front: FrontEntry[] = [];
    // every split into two halves, the half with the lowest factor first (each split once)
    for (let left = (mask - 1) & mask; left > 0; left = (left - 1) & mask) {
      if ((left & low) === 0) continue;
      const right = mask ^ left;
      const stepFlops = sizeOfBits(kept[left] | kept[right]);
      fronts[left].forEach((a, li) => {
        fronts[right].forEach((b, ri) => {
          const entry = { largest: Math.max(a.largest, b.largest, keptSize[mask]), flops: a.flops + b.flops + stepFlops, split: { left, right, li, ri } };
          if (front.some((e) => e.largest <= entry.largest && e.flops <= entry.flops)) return;
          for (let e = front.length - 1; e >= 0; e--) if (entry.largest <= front[e].largest && entry.flops <= front[e].flops) front.splice(e, 1);
          front.push(entry);
        });
      });
    }
    fronts[mask] = front;
  }
  const best = fronts[full].reduce((a, b) => (isCheaper(b.largest, b.flops, a.largest, a.flops, cap) ? b : a));

  // the tree as pairwise steps over a shrinking list (lowest factor first: written order where it can)
  const order: PairOrder = [];
  const list: number[] = sets.map((_, i) => 1 << i);
  const emit = (mask: number, entry: FrontEntry): void => {
    if (!entry.split) return;
    const { left, right, li, ri } = entry.split;
    emit(left, fronts[left][li]);
    emit(right, fronts[right][ri]);
    const a = list.indexOf(left);
    const b = list.indexOf(right);
    order.push([a, b]);
    list.splice(Math.max(a, b), 1);
    list.splice(Math.min(a, b), 1, mask);
  };
  emit(full, best);
  return order;
}

/** (largest, flops) against (largest′, flops′): sizes up to `cap` count as `cap`, then flops decide. */
function isCheaper(largest: number, flops: number, largest2: number, flops2: number, cap: number): boolean {
  const [a, b] = [Math.max(largest, cap), Math.max(largest2, cap)];
  return a < b || (a === b && flops < flops2);
}

/** One pair at a time: the pair whose result is smallest (up to `cap`), then needs the fewest multiply-adds. */
function greedyOrder(sets: string[][], output: readonly string[], sizes: ReadonlyMap<string, number>, cap: number): PairOrder {
  const list = sets.map((s) => [...s]);
  const order: PairOrder = [];
  while (list.length > 1) {
    let best: { a: number; b: number; size: number; flops: number; kept: string[] } | null = null;
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const union = [...new Set([...list[a], ...list[b]])];
        const kept = union.filter((v) => output.includes(v) || list.some((s, k) => k !== a && k !== b && s.includes(v)));
        const size = sizeOfVars(kept, sizes);
        const flops = sizeOfVars(union, sizes);
        if (!best || isCheaper(size, flops, best.size, best.flops, cap)) best = { a, b, size, flops, kept };
      }
    }
    order.push([best!.a, best!.b]);
    list.splice(best!.b, 1);
    list.splice(best!.a, 1, best!.kept);
  }
  return order;
}

const count = (n: number): string => String(n);

/**
 * The plan as text, one line per operand and step, e.g.
 *
 *     Σ_n,k x[n,i] · φ[n,j] · d[n,k] · W2[j,k] → [i,j]   (optimal order)
 *     sizes n=64 i=784 j=512 k=10
 *     largest operand 50176, result 401408, largest intermediate 401408
 *     flops 26050560 (written order 51380224000)
 *     #0  x[n,i]                [n,i]   50176
 *     …
 *     #4 = Σ_k #2 · #3          [n,j]   32768
 */
export function printPlan(plan: ContractionPlan): string {
  const { operands, sizes, summed } = plan.input;
  const shape = (id: number) => `[${plan.vars[id].join(',')}]`;
  const size = (id: number) => count(sizeOfVars(plan.vars[id], sizes));
  const lines: string[] = [];
  const head = summed.length > 0 ? `Σ_${summed.join(',')} ` : '';
  const tail = plan.input.scalars?.length ? `, then ${plan.input.scalars.join(' ')}` : '';
  lines.push(`${head}${operands.map((o) => o.label).join(' · ')} → ${shape(plan.result)}${tail}   (${plan.search === 'none' ? 'no pairwise step' : `${plan.search} order`})`);
  lines.push(`sizes ${[...new Set(plan.vars.flat())].map((v) => `${v}=${sizes.get(v)}`).join(' ')}`);
  lines.push(`largest operand ${count(plan.largestOperand)}, result ${count(plan.resultSize)}, largest intermediate ${count(plan.largestIntermediate)}${plan.exceeds ? ' (larger than every operand and the result)' : ''}`);
  lines.push(`flops ${count(plan.flops)} (written order ${count(plan.writtenFlops)})`);
  const rows: [string, string, string][] = operands.map((o, id) => [`#${id}  ${o.label}`, shape(id), size(id)]);
  for (const step of plan.steps) {
    const text =
      step.kind === 'multiply'
        ? step.inputs.map((i) => `#${i}`).join(' · ')
        : step.kind === 'reduce'
          ? `Σ_${step.over.join(',')} #${step.input}`
          : `${step.over.length > 0 ? `Σ_${step.over.join(',')} ` : ''}#${step.inputs[0]} · #${step.inputs[1]}`;
    rows.push([`#${step.result} = ${text}`, shape(step.result), size(step.result)]);
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const w2 = Math.max(...rows.map((r) => r[2].length));
  for (const [a, b, c] of rows) lines.push(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padStart(w2)}`);
  return lines.join('\n');
}
