import fc from 'fast-check';
import { OPTIMAL_LIMIT, planContraction, printPlan, type ContractionPlan, type PlanInput } from '../../src/formula/contractionPlan';

// The contraction planner on index sets alone: its printed plan for the first-layer claim, and,
// for random products, that every plan computes the right thing (each operand used once, each
// summed index summed out once no other factor holds it, the result over the free indices) and
// that no pairwise order has a smaller largest intermediate (checked against every pairwise
// order, tried exhaustively here). Numbers are spec/formula/plannedEvaluation.spec.ts's job.

const SEED = 20260513;

function inputOf(operands: [string, string[]][], sizes: Record<string, number>, summed: string[]): PlanInput {
  return { operands: operands.map(([label, vars]) => ({ label, vars })), sizes: new Map(Object.entries(sizes)), summed };
}

const firstLayer = inputOf(
  [
    ['x[n,i]', ['n', 'i']],
    ['(1 - a1[n,j]^2)', ['n', 'j']],
    ['(o[n,k] - y[n,k])', ['n', 'k']],
    ['W2[j,k]', ['j', 'k']],
  ],
  { n: 64, i: 784, j: 512, k: 10 },
  ['n', 'k'],
);

describe('the printed plan', () => {
  it('first-layer claim of a tanh network at 784-512-10, batch 64: never an [n,i,j] array', () => {
    expect(printPlan(planContraction(firstLayer))).toBe(
      [
        'Σ_n,k x[n,i] · (1 - a1[n,j]^2) · (o[n,k] - y[n,k]) · W2[j,k] → [i,j]   (optimal order)',
        'sizes n=64 i=784 j=512 k=10',
        'largest operand 50176, result 401408, largest intermediate 401408',
        'flops 26050560 (written order 1027604480)',
        '#0  x[n,i]             [n,i]   50176',
        '#1  (1 - a1[n,j]^2)    [n,j]   32768',
        '#2  (o[n,k] - y[n,k])  [n,k]     640',
        '#3  W2[j,k]            [j,k]    5120',
        '#4 = Σ_k #2 · #3       [n,j]   32768',
        '#5 = #1 · #4           [n,j]   32768',
        '#6 = Σ_n #0 · #5       [i,j]  401408',
      ].join('\n'),
    );
  });

  it('same index sets are multiplied first, an index one factor holds is summed out of it at once, a scalar meets the smallest array', () => {
    const plan = planContraction({
      ...inputOf(
        [
          ['a1[n,j]', ['n', 'j']],
          ['(1 - a1[n,j])', ['n', 'j']],
          ['u[m]', ['m']],
          ['x[n,i]', ['n', 'i']],
        ],
        { n: 4, j: 3, m: 5, i: 2 },
        ['n', 'm'],
      ),
      scalars: ['÷ N', '÷ 4 (mean)'],
    });
    expect(printPlan(plan)).toBe(
      [
        'Σ_n,m a1[n,j] · (1 - a1[n,j]) · u[m] · x[n,i] → [j,i], then ÷ N ÷ 4 (mean)   (optimal order)',
        'sizes n=4 j=3 m=5 i=2',
        'largest operand 12, result 6, largest intermediate 12',
        'flops 47 (written order 480)',
        '#0  a1[n,j]        [n,j]  12',
        '#1  (1 - a1[n,j])  [n,j]  12',
        '#2  u[m]           [m]     5',
        '#3  x[n,i]         [n,i]   8',
        '#4 = #0 · #1       [n,j]  12',
        '#5 = Σ_m #2        []      1',
        '#6 = Σ_n #4 · #3   [j,i]   6',
        '#7 = #6 · #5       [j,i]   6',
      ].join('\n'),
    );
  });

  it('within the size of the largest operand or the result, the fewest multiply-adds decide', () => {
    // B·C over k first: [j,l] (36 elements, 360 flops in all); A·B over j first would be [m,k] (21, 420)
    const plan = planContraction(inputOf([['A', ['j', 'm']], ['B', ['j', 'k']], ['C', ['k', 'l']]], { j: 18, k: 7, l: 2, m: 3 }, ['j', 'k']));
    expect({ steps: plan.steps.map((s) => `#${s.result} = ${s.kind === 'contract' ? s.inputs.join('·') : '?'}`), largest: plan.largestIntermediate, flops: plan.flops }).toEqual({
      steps: ['#3 = 1·2', '#4 = 0·3'],
      largest: 36,
      flops: 360,
    });
  });

  it('past that size, the largest intermediate decides before the multiply-adds', () => {
    // the fewest flops (21600) would build an array of 1152 elements, more than A's 1088
    const plan = planContraction(
      inputOf([['A', ['i', 'j', 'm']], ['B', ['k', 'l']], ['C', ['i', 'k']], ['D', ['j', 'l']]], { i: 17, j: 8, k: 18, l: 6, m: 8 }, ['i', 'j', 'l']),
    );
    expect({ largest: plan.largestIntermediate, flops: plan.flops, exceeds: plan.exceeds }).toEqual({ largest: 864, flops: 22080, exceeds: false });
  });

  it('an outer product the result needs is larger than every operand, and says so', () => {
    const plan = planContraction(inputOf([['u[i]', ['i']], ['v[j]', ['j']]], { i: 30, j: 40 }, []));
    expect({ exceeds: plan.exceeds, largest: plan.largestIntermediate, result: plan.resultSize }).toEqual({ exceeds: false, largest: 1200, result: 1200 });
    // Σ_k a[i,k]·b[j,k]·c[l,k]: every pairwise order builds three of i, j, l, k
    const three = planContraction(inputOf([['a', ['i', 'k']], ['b', ['j', 'k']], ['c', ['l', 'k']]], { i: 4, j: 4, l: 4, k: 100 }, ['k']));
    expect({ exceeds: three.exceeds, largest: three.largestIntermediate, result: three.resultSize }).toEqual({ exceeds: true, largest: 1600, result: 64 });
    expect(printPlan(three)).toContain('largest intermediate 1600 (larger than every operand and the result)');
  });
});

const sizeOf = (vars: Iterable<string>, sizes: ReadonlyMap<string, number>) => [...vars].reduce((n, v) => n * sizes.get(v)!, 1);

/**
 * The smallest largest intermediate over every pairwise order of the operands as given (no
 * grouping, no early sums), each step keeping the indices the output or another factor needs.
 */
function smallestLargest(sets: string[][], output: string[], sizes: ReadonlyMap<string, number>, memo = new Map<string, number>()): number {
  if (sets.length < 2) return 0;
  const key = sets.map((s) => [...s].sort().join(',')).sort().join('|');
  const known = memo.get(key);
  if (known !== undefined) return known;
  let best = Infinity;
  for (let a = 0; a < sets.length; a++) {
    for (let b = a + 1; b < sets.length; b++) {
      const rest = sets.filter((_, k) => k !== a && k !== b);
      const kept = [...new Set([...sets[a], ...sets[b]])].filter((v) => output.includes(v) || rest.some((s) => s.includes(v)));
      best = Math.min(best, Math.max(sizeOf(kept, sizes), smallestLargest([...rest, kept], output, sizes, memo)));
    }
  }
  memo.set(key, best);
  return best;
}

/** Runs the plan on index sets: what each id holds, checking each step's arithmetic; the problems found. */
function replay(plan: ContractionPlan): string[] {
  const { operands, summed, sizes } = plan.input;
  const problems: string[] = [];
  const sets: (string[] | null)[] = operands.map((o) => [...new Set(o.vars)]);
  const used = new Set<number>();
  const take = (id: number): string[] => {
    if (used.has(id)) problems.push(`#${id} used twice`);
    used.add(id);
    return sets[id] ?? (problems.push(`#${id} read before it is made`), []);
  };
  const live = () => sets.map((_, id) => id).filter((id) => !used.has(id) && sets[id] !== null);
  for (const step of plan.steps) {
    let result: string[];
    if (step.kind === 'multiply') {
      const inputs = step.inputs.map(take);
      if (inputs.some((s) => s.length !== inputs[0].length || s.some((v) => !inputs[0].includes(v)))) problems.push(`#${step.result}: multiply of different index sets`);
      result = inputs[0];
    } else if (step.kind === 'reduce') {
      const input = take(step.input);
      const others = live().flatMap((id) => sets[id]!);
      if (step.over.some((v) => !summed.includes(v) || others.includes(v))) problems.push(`#${step.result}: sums ${step.over} that another factor still holds`);
      result = input.filter((v) => !step.over.includes(v));
    } else {
      const [a, b] = step.inputs.map(take);
      const union = [...new Set([...a, ...b])];
      const others = live().flatMap((id) => sets[id]!);
      const shouldSum = union.filter((v) => summed.includes(v) && !others.includes(v));
      if (shouldSum.join() !== [...step.over].sort((x, y) => union.indexOf(x) - union.indexOf(y)).join()) problems.push(`#${step.result}: sums [${step.over}], should sum [${shouldSum}]`);
      result = union.filter((v) => !shouldSum.includes(v));
    }
    sets[step.result] = result;
    if (plan.vars[step.result].join() !== result.join()) problems.push(`#${step.result}: plan says [${plan.vars[step.result]}], replay gives [${result}]`);
  }
  const left = live();
  if (left.length !== 1 || left[0] !== plan.result) problems.push(`left over: ${left.map((id) => `#${id}`)} (result #${plan.result})`);
  const output = [...new Set(operands.flatMap((o) => o.vars))].filter((v) => !summed.includes(v));
  if ([...plan.vars[plan.result]].sort().join() !== [...output].sort().join()) problems.push(`result [${plan.vars[plan.result]}], free indices [${output}]`);
  const largest = Math.max(0, ...plan.steps.map((s) => sizeOf(plan.vars[s.result], sizes)));
  if (largest !== plan.largestIntermediate) problems.push(`largest intermediate ${plan.largestIntermediate}, steps reach ${largest}`);
  return problems;
}

const INDICES = ['i', 'j', 'k', 'l', 'm', 'n'];

/** Random products: 1–6 operands over up to 6 indices of size 1–40, some summed. */
const products = (maxOperands: number) =>
  fc
    .record({
      sizes: fc.tuple(...INDICES.map(() => fc.integer({ min: 1, max: 40 }))),
      operands: fc.array(fc.subarray(INDICES, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: maxOperands }),
      summedMask: fc.tuple(...INDICES.map(() => fc.boolean())),
    })
    .map(({ sizes, operands, summedMask }) => {
      const used = [...new Set(operands.flat())];
      const summed = used.filter((v) => summedMask[INDICES.indexOf(v)]);
      return inputOf(
        operands.map((vars, at) => [`t${at}`, vars]),
        Object.fromEntries(INDICES.map((v, a) => [v, sizes[a]])),
        summed,
      );
    });

describe('plans of random products', () => {
  it('compute the product: every operand once, every summed index summed out when no other factor holds it, the free indices left', () => {
    fc.assert(
      fc.property(products(6), (input) => {
        expect({ plan: printPlan(planContraction(input)), problems: replay(planContraction(input)) }).toEqual({ plan: expect.any(String), problems: [] });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('no pairwise order has a smaller largest intermediate (past the largest operand or the result); larger than those exactly when no order avoids it', () => {
    fc.assert(
      fc.property(products(6), (input) => {
        const plan = planContraction(input);
        const output = [...new Set(input.operands.flatMap((o) => o.vars))].filter((v) => !input.summed.includes(v));
        const best = smallestLargest(input.operands.map((o) => [...new Set(o.vars)]), output, input.sizes);
        const cap = Math.max(plan.largestOperand, plan.resultSize);
        const got = { best, cap, largest: plan.largestIntermediate, exceeds: plan.exceeds };
        expect({ ...got, withinBest: got.largest <= Math.max(best, cap), exceedsExactlyWhenUnavoidable: got.exceeds === best > cap }).toEqual({
          ...got,
          withinBest: true,
          exceedsExactlyWhenUnavoidable: true,
        });
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it(`past ${OPTIMAL_LIMIT} factors the greedy order still computes the product`, () => {
    fc.assert(
      fc.property(
        products(16).filter((input) => new Set(input.operands.map((o) => [...o.vars].sort().join())).size > OPTIMAL_LIMIT),
        (input) => {
          const plan = planContraction(input);
          expect({ search: plan.search, problems: replay(plan) }).toEqual({ search: 'greedy', problems: [] });
        },
      ),
      { seed: SEED, numRuns: 50 },
    );
  });
});
