import fc from 'fast-check';
import type { World } from '../../src/formula/algebra';
import type { CheckedClaim } from '../../src/formula/check';
import { printPlan, type ContractionPlan } from '../../src/formula/contractionPlan';
import { expandTo, FormulaEvaluator, type EvaluatorOptions } from '../../src/formula/evaluate';
import { algebra64, type Value64 } from '../../src/reference/algebra64';
import { referenceWorld } from '../../src/reference/world64';
import type { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { ACTIVATIONS, FORMULA_VARIANTS, variantRhs } from '../../bench/formulaVariants';
import { firstLayerScenario } from '../../bench/firstLayer';
import { useSpecBackend } from '../support/backend';
import { checked, evaluateIn, scenarioOf, type WorldName } from '../support/formulaWorlds';
import { FLOAT32_UNIT, FLOAT64_UNIT, gamma, roundingBoundOf } from '../support/roundingBound';

// The planned evaluation (src/formula/contractionPlan.ts) against the written one (every product
// built in full, in written order, then summed): for random sums of products and for every way
// the bench writes the first-layer claim, the values agree within the rounding bound of
// spec/support/roundingBound.ts (2·γ_h·Σ|terms|: u = 2^-53 in float64, 2^-24 in float32); in
// the reference world the error bound and the kink flags ride along through the plan as they do
// through the written order.

useSpecBackend();

const SEED = 20260513;
const INDICES = ['i', 'j', 'k', 'm', 'n'];
const WRITTEN: EvaluatorOptions = { contraction: 'written' };

type Factor =
  | { kind: 'tensor'; vars: string[]; shifted: boolean }
  | { kind: 'delta'; pair: [number, number] }
  | { kind: 'number'; value: number }
  | { kind: 'divisor'; text: string };

interface Recipe {
  sizes: number[];
  factors: Factor[];
  summedMask: boolean[];
  meanMask: boolean[];
  /** sort keys: the nesting order of the summed indices, and the order of a product's factors */
  keys: number[];
  /** where each factor goes among the levels it may stand at */
  levels: number[];
  values: number[];
}

const factor: fc.Arbitrary<Factor> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('tensor' as const), vars: fc.subarray(INDICES, { minLength: 1, maxLength: 3 }), shifted: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delta' as const), pair: fc.tuple(fc.nat(), fc.nat()) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('number' as const), value: fc.constantFrom(0.5, 2, 3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('divisor' as const), text: fc.constantFrom('N', '4', 's') }) },
);

const recipes: fc.Arbitrary<Recipe> = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 5, maxLength: 5 }),
  factors: fc.array(factor, { minLength: 1, maxLength: 5 }),
  summedMask: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  meanMask: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  keys: fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
  levels: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  // multiples of 1/8 in [−2, 2]: float32 holds them, so both worlds start from the same numbers
  values: fc.array(fc.integer({ min: -16, max: 16 }), { minLength: 64, maxLength: 64 }),
});

/** A random sum of products over constants C0…C4, nested as the recipe says; each tensor factor is a constant of its own. */
interface Product {
  /** the formula, a factor's text given by `render` (tensor factor number, its indices) */
  text(render?: (at: number, vars: string) => string): string;
  /** constant name → shape */
  shapes: Record<string, number[]>;
  sizes: Record<string, number>;
  summed: string[];
}

function productOf(recipe: Recipe, allowShift = true): Product {
  const size = (v: string) => recipe.sizes[INDICES.indexOf(v)];
  const tensorVars = [...new Set(recipe.factors.flatMap((f) => (f.kind === 'tensor' ? f.vars : [])))];
  // delta needs both its indices to have a range from some tensor
  const factors = recipe.factors.filter((f) => f.kind !== 'delta' || (tensorVars.length >= 2 && f.pair[0] % tensorVars.length !== f.pair[1] % tensorVars.length));
  const varsOf = (f: Factor): string[] => (f.kind === 'tensor' ? f.vars : f.kind === 'delta' ? [tensorVars[f.pair[0] % tensorVars.length], tensorVars[f.pair[1] % tensorVars.length]] : []);
  const used = [...new Set(factors.flatMap(varsOf))];
  const summed = used.filter((v) => recipe.summedMask[INDICES.indexOf(v)]).sort((a, b) => recipe.keys[INDICES.indexOf(a)] - recipe.keys[INDICES.indexOf(b)]);
  const depth = summed.length;
  // a factor stands inside the sums over every index it uses: at a level past the deepest of them
  const level = factors.map((f, at) => {
    const lowest = Math.max(0, ...varsOf(f).map((v) => summed.indexOf(v) + 1));
    return lowest + (recipe.levels[at % recipe.levels.length] % (depth - lowest + 1));
  });
  const shapes: Record<string, number[]> = {};
  let tensorCount = 0;
  const tensorAt = factors.map((f) => (f.kind === 'tensor' ? tensorCount++ : -1));
  factors.forEach((f, at) => {
    if (f.kind === 'tensor') shapes[`C${tensorAt[at]}`] = f.vars.map(size);
  });
  const text = (render?: (at: number, vars: string) => string): string => {
    const factorText = (f: Factor, at: number): string => {
      if (f.kind === 'tensor') {
        const vars = f.vars.join(',');
        if (render) return render(tensorAt[at], vars);
        return allowShift && f.shifted ? `(C${tensorAt[at]}[${vars}] - 1)` : `C${tensorAt[at]}[${vars}]`;
      }
      if (f.kind === 'delta') return `delta(${varsOf(f).join(', ')})`;
      return String(f.kind === 'number' ? f.value : f.text);
    };
    const build = (l: number): string => {
      const here = factors.map((f, at) => ({ f, at })).filter(({ at }) => level[at] === l);
      const times = here.filter(({ f }) => f.kind !== 'divisor').map(({ f, at }) => ({ text: factorText(f, at), key: recipe.keys[(at + l) % recipe.keys.length] }));
      if (l < depth) {
        const v = summed[l];
        times.push({ text: `${recipe.meanMask[INDICES.indexOf(v)] ? 'mean' : 'sum'}(${v}, ${build(l + 1)})`, key: recipe.keys[(5 + l) % recipe.keys.length] });
      }
      times.sort((a, b) => a.key - b.key);
      const over = here.filter(({ f }) => f.kind === 'divisor').map(({ f, at }) => ` / ${factorText(f, at)}`);
      return `${times.length > 0 ? times.map((t) => t.text).join(' * ') : '1'}${over.join('')}`;
    };
    return build(0);
  };
  return { text, shapes, sizes: Object.fromEntries(used.map((v) => [v, size(v)])), summed };
}

/** Constant values for `shapes` from the recipe's numbers (eighths). */
function constantsOf(shapes: Record<string, number[]>, values: number[]): Record<string, unknown> {
  let next = 0;
  const nested = (shape: number[]): unknown => (shape.length === 0 ? values[next++ % values.length] / 8 : Array.from({ length: shape[0] }, () => nested(shape.slice(1))));
  return Object.fromEntries(Object.entries(shapes).map(([name, shape]) => [name, nested(shape)]));
}

/** A 1-1-2 network (N = 2) that only carries the constants. */
function scenarioWith(constants: Record<string, unknown>): Scenario {
  return scenarioOf({
    title: 'planned evaluation',
    seed: 3,
    model: { inputs: 1, layers: [{ units: 1 }, { units: 2, activation: 'linear' }], loss: { type: 'softmax-cross-entropy' } },
    data: { batch: 2, labels: [0, 1] },
    constants: { ...constants, s: 3 },
  });
}

interface Apart {
  at: number;
  planned: number;
  written: number;
  allowed: number;
}

/** Elements where planned and written differ by more than 2·γ_h·Σ|terms|. */
function apart(planned: number[], written: number[], absSum: number[], roundings: number, unit: number): Apart[] {
  const g = gamma(roundings, unit);
  return planned.flatMap((p, at) => {
    const allowed = 2 * g * (1 + g) * absSum[at];
    return Math.abs(p - written[at]) <= allowed || Object.is(p, written[at]) ? [] : [{ at, planned: p, written: written[at], allowed }];
  });
}

/** Planned and written evaluations of `formula` in `world`, and the rounding bound's Σ|terms| (float64). */
function compareOrders(world: WorldName, scenario: Scenario, formula: string) {
  const claim = checked(scenario, { lhs: formula, rhs: '0' });
  const bound = roundingBoundOf(claim, claim.lhs);
  const absClaim = checked(scenario, { lhs: bound.absText, rhs: '0' });
  const planned = evaluateIn(world, scenario, claim).lhs.data;
  const written = evaluateIn(world, scenario, claim, { evaluator: WRITTEN }).lhs.data;
  const absSum = evaluateIn('reference', scenario, absClaim, { evaluator: WRITTEN }).lhs.data;
  const unit = world === 'reference' ? FLOAT64_UNIT : FLOAT32_UNIT;
  return { planned, written, identical: planned.every((p, at) => Object.is(p, written[at])), apart: apart(planned, written, absSum, bound.roundings, unit) };
}

describe.each<[WorldName, number]>([
  ['reference', 250],
  ['tfjs', 80],
])('random sums of products in the %s world: planned = written within rounding', (world, numRuns) => {
  it('nested and flat sums and means, factors outside the sums, scalars, divisions, delta, shifted factors', () => {
    let identical = 0;
    fc.assert(
      fc.property(recipes, (recipe) => {
        const product = productOf(recipe);
        const formula = product.text();
        const result = compareOrders(world, scenarioWith(constantsOf(product.shapes, recipe.values)), formula);
        if (result.identical) identical++;
        expect({ formula, apart: result.apart }).toEqual({ formula, apart: [] });
      }),
      { seed: SEED, numRuns },
    );
    // most of these are exact in float64 (eighths, few terms): the orders then agree to the bit
    if (world === 'reference') expect(identical).toBeGreaterThan(numRuns / 2);
  });
});

describe('the first-layer claim as the bench writes it: planned = written within rounding', () => {
  const cases = ACTIVATIONS.flatMap((activation) => FORMULA_VARIANTS.map((v) => [activation, v.name, variantRhs(v, activation)] as const));
  describe.each<WorldName>(['reference', 'tfjs'])('%s world', (world) => {
    it.each(cases)('%s network, %s: %s', (activation, _name, rhs) => {
      const scenario = firstLayerScenario([5, 4, 3, 6], ['c'], { activation, rhs });
      const result = compareOrders(world, scenario, rhs);
      expect(result.apart).toEqual([]);
    });
  });
});

describe.each<WorldName>(['reference', 'tfjs'])('where in the %s world: conditions with sums select the same elements planned and written', (world) => {
  const scenario = scenarioWith({ T: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], u: [2, -3, 0.5] });
  it.each([
    'sum(m, T[i,m] * m) > 10',
    'mean(m, T[i,m] * T[m,j]) > 20 and j != 1',
    'sum(k, sum(n, T[k,n] * u[n] * T[i,k])) * u[j] > 0',
    'sum(n, T[n,j] / s * sum(k, T[i,k] * T[k,n])) >= 150',
  ])('%s', (where) => {
    const claim = checked(scenario, { lhs: 'T[i,j]', rhs: '0', where });
    const planned = evaluateIn(world, scenario, claim).where!.data;
    const written = evaluateIn(world, scenario, claim, { evaluator: WRITTEN }).where!.data;
    expect({ planned, selected: planned.filter((v) => v !== 0).length > 0 }).toEqual({ planned: written, selected: true });
  });
});

describe('the bench variants at the bench size: no intermediate larger than the largest operand or the result', () => {
  // plans depend on shapes alone; the reference world of a 784-512-10 tanh network at batch 64 gives them
  const scenario = firstLayerScenario([784, 512, 10, 64], ['c'], { activation: 'tanh' });
  let world: World<Value64>;
  beforeAll(() => {
    world = referenceWorld(scenario, drawTrial(scenario, 0));
  });

  it.each(FORMULA_VARIANTS.filter((v) => !v.usesGrad).map((v) => [v.name, variantRhs(v, 'tanh')]))('%s: %s', (_name, rhs) => {
    const plans: ContractionPlan[] = [];
    const claim = checked(scenario, { lhs: rhs, rhs: '0' });
    new FormulaEvaluator(claim, world, { onPlan: (p) => plans.push(p) }).evaluate(claim.lhs);
    // the result, W1's gradient, is the largest array any of them needs
    const exceeding = plans.filter((p) => p.exceeds || p.largestIntermediate > 784 * 512).map(printPlan);
    expect({ plans: plans.length > 0, exceeding }).toEqual({ plans: true, exceeding: [] });
  });
});

// The error bound and kink flags: constants with an error bound and kinks of their own, the
// same formula in both orders. Each first-order bound, however grouped, lies between the
// tightest one, Σ_f Σ_e err_f[e]·|∂S/∂a_f[e]|, and the termwise one, Σ_t Σ_f err_f·Π_{g≠f}|a_g|
// (each step bounds |Δ(a·b)| by |b||Δa| + |a||Δb|, and |Σ| ≤ Σ|·|); where the planner sums before
// it multiplies by an erring factor, its bound may be tighter than the written order's, or looser.
// The kink flags mark every result element some kinked element reaches, whatever the order: equal.

interface Carried {
  data: number[];
  error: number[] | null;
  kink: number[] | null;
  forward: number[] | null;
  backward: number[] | null;
}

function evaluateWith(claim: CheckedClaim, env: Map<string, Value64>, options: EvaluatorOptions = {}): Carried {
  const world: World<Value64> = {
    name: 'reference',
    algebra: algebra64,
    env,
    gradient: () => {
      throw new Error('no gradient in this spec');
    },
    next: () => {
      throw new Error('no next in this spec');
    },
    gradientScale: () => 0,
    integers: () => {
      throw new Error('no integer tensors in this spec');
    },
  };
  const vars = claim.freeIndices.map((f) => f.name);
  const sizes = claim.freeIndices.map((f) => f.size);
  const t = expandTo(algebra64, new FormulaEvaluator(claim, world, options).evaluate(claim.lhs), vars, sizes);
  const list = (a: ArrayLike<number> | undefined) => (a ? Array.from(a) : null);
  return { data: Array.from(t.data), error: list(t.error), kink: list(t.kink), forward: list(t.oneSided?.forward), backward: list(t.oneSided?.backward) };
}

describe('the reference world carries its error bound and kink flags through the plan', () => {
  it('error bounds of both orders between the tightest and the termwise bound; the same kink flags; one-sided values within rounding', () => {
    fc.assert(
      fc.property(recipes, fc.array(fc.nat(7), { minLength: 64, maxLength: 64 }), (recipe, marks) => {
        const product = productOf(recipe, false);
        const names = Object.keys(product.shapes);
        // every constant C also as its error R, |value| A and a one-hot H (values set below)
        const shapes = Object.fromEntries(names.flatMap((c) => ['C', 'R', 'A', 'H'].map((p) => [`${p}${c.slice(1)}`, product.shapes[c]])));
        const scenario = scenarioWith(constantsOf(shapes, recipe.values));
        const base = referenceWorld(scenario, drawTrial(scenario, 0)).env as Map<string, Value64>;
        const exact = new Map(base);
        const erring = new Map(base);
        let mark = 0;
        for (const c of names) {
          const value = base.get(c)!;
          const n = value.data.length;
          const error = Float64Array.from({ length: n }, () => marks[mark++ % marks.length] / 1024);
          const kinked = marks[mark++ % marks.length] < 3;
          const kink = Uint8Array.from({ length: n }, () => (kinked && marks[mark++ % marks.length] < 3 ? 1 : 0));
          const forward = Float64Array.from(value.data, (v, e) => v + (kink[e] ? 0.125 : 0));
          const backward = Float64Array.from(value.data, (v, e) => v - (kink[e] ? 0.25 : 0));
          erring.set(c, { ...value, error, ...(kink.includes(1) ? { kink, oneSided: { forward, backward } } : {}) });
          exact.set(`R${c.slice(1)}`, { shape: value.shape, data: error });
          exact.set(`A${c.slice(1)}`, { shape: value.shape, data: Float64Array.from(value.data, (v, e) => Math.max(Math.abs(v), Math.abs(forward[e]), Math.abs(backward[e]))) });
        }
        const claim = checked(scenario, { lhs: product.text(), rhs: '0' });
        const planned = evaluateWith(claim, erring);
        const written = evaluateWith(claim, erring, WRITTEN);

        // termwise: Σ_f (the formula with R_f for C_f and |a_g| for the others)
        const termwise = new Array<number>(planned.data.length).fill(0);
        const tightest = new Array<number>(planned.data.length).fill(0);
        names.forEach((_, f) => {
          const term = checked(scenario, { lhs: product.text((at, vars) => (at === f ? `R${at}[${vars}]` : `abs(C${at}[${vars}])`)), rhs: '0' });
          evaluateWith(term, exact, WRITTEN).data.forEach((v, at) => (termwise[at] += v));
          // tightest: Σ_e R_f[e]·|S with C_f := one-hot e| (S is linear in each C_f, used once)
          const hot = checked(scenario, { lhs: product.text((at, vars) => (at === f ? `H${at}[${vars}]` : `C${at}[${vars}]`)), rhs: '0' });
          const error = exact.get(`R${f}`)!;
          for (let e = 0; e < error.data.length; e++) {
            const onehot = new Float64Array(error.data.length);
            onehot[e] = 1;
            exact.set(`H${f}`, { shape: error.shape, data: onehot });
            evaluateWith(hot, exact, WRITTEN).data.forEach((v, at) => (tightest[at] += error.data[e] * Math.abs(v)));
          }
        });
        const outside = (carried: Carried) =>
          carried.data.flatMap((_, at) => {
            const err = carried.error?.[at] ?? 0;
            return err >= tightest[at] * (1 - 1e-12) && err <= termwise[at] * (1 + 1e-12) ? [] : [{ at, error: err, tightest: tightest[at], termwise: termwise[at] }];
          });
        const sides = (carried: Carried) => ({ kink: carried.kink, hasError: carried.error !== null, hasOneSided: carried.forward !== null });
        const absSum = evaluateWith(checked(scenario, { lhs: roundingBoundOf(claim, claim.lhs).absText.replace(/abs\(C(\d)/g, 'abs(A$1'), rhs: '0' }), exact, WRITTEN).data;
        const roundings = roundingBoundOf(claim, claim.lhs).roundings;
        const oneSidedApart = planned.forward
          ? [...apart(planned.forward, written.forward!, absSum, roundings, FLOAT64_UNIT), ...apart(planned.backward!, written.backward!, absSum, roundings, FLOAT64_UNIT)]
          : [];
        expect({ formula: product.text(), planned: outside(planned), written: outside(written), sides: sides(planned), oneSidedApart }).toEqual({
          formula: product.text(),
          planned: [],
          written: [],
          sides: sides(written),
          oneSidedApart: [],
        });
      }),
      { seed: SEED, numRuns: 120 },
    );
  });

  it('with one erring factor, multiplied before any sum in both orders, the bounds are equal', () => {
    // Σ_n x[n,i]·(o[n,k] − y[n,k])·G[n,j]: every order multiplies G's error by |x|·|o − y| termwise
    const scenario = scenarioWith({ X: [[1, -2], [0.5, 3]], D: [[0.25, -1], [2, 0.5]], G: [[1, 2, -1], [0.5, -0.5, 4]] });
    const base = referenceWorld(scenario, drawTrial(scenario, 0)).env as Map<string, Value64>;
    const env = new Map(base);
    const g = base.get('G')!;
    env.set('G', { ...g, error: Float64Array.of(1, 2, 3, 4, 5, 6).map((v) => v / 64) });
    const results = ['sum(n, X[n,i] * D[n,k] * G[n,j])', 'sum(n, G[n,j] * D[n,k] * X[n,i])'].map((lhs) => {
      const claim = checked(scenario, { lhs, rhs: '0' });
      return { planned: evaluateWith(claim, env).error, written: evaluateWith(claim, env, WRITTEN).error };
    });
    for (const { planned, written } of results) expect(planned).toEqual(written);
  });
});

describe.each<WorldName>(['reference', 'tfjs'])('computations in the %s world: planned = written for index expressions, reads and ranges', (world) => {
  const scenario = scenarioOf({
    title: 'planned evaluation of computation formulas',
    seed: 5,
    computation: {
      sizes: { N: 3, H: 5, K: 3, F: 2, I: 2, C: 4 },
      tensors: {
        x: { shape: ['N', 'H'] },
        w: { shape: ['F', 'K'] },
        d: { shape: ['N', 'F', 'I'] },
        s: { shape: ['N', 'C'] },
        t: { shape: ['N'], classes: 4 },
      },
      loss: 'sum(n, sum(h, x[n,h]))',
    },
  });
  it.each([
    // a summed index no factor uses multiplies by its range; a mean over one leaves the term alone
    ['sum(k < K, x[n,h])', 'x[n,h]'],
    ['sum(n, sum(k < K, x[n,h] * s[n,0]))', 'x[0,h]'],
    ['mean(k < K, x[n,h] * 2)', 'x[n,h]'],
    // a strided window read and a padded one, summed against a kernel
    ['sum(k, x[n, 2*i + k] * w[f,k])', 'd[n,f,i]'],
    ['sum(k, pad(x, 0, 1)[n, i + k] * w[f,k])', 'd[n,f,i]'],
    // the gradient of a strided read by its input, through delta over index expressions
    ['sum(f, sum(i, sum(k, d[n,f,i] * w[f,k] * delta(h, 2*i + k))))', 'x[n,h]'],
    // a read through an integer tensor, a largest element, both among a sum's factors
    ['sum(n, s[n, t[n]] * x[n,h])', 'x[0,h]'],
    ['sum(n, maxover(c, s[n,c]) * x[n,h])', 'x[0,h]'],
    // delta(k, c) holds a summed k at c: once, twice (with two values: 0), alone, in a mean
    ['sum(k, x[n,k] * delta(k, 2))', 'x[n,0]'],
    ['sum(n, sum(k, x[n,k] * delta(2, k) * w[f,1]))', 'w[f,0]'],
    ['sum(k, x[n,k] * delta(k, 1) * delta(k, 3))', 'x[n,0]'],
    ['sum(k < 4, delta(k, 1)) * x[n,h]', 'x[n,h]'],
    ['mean(k < 3, x[n,h] * delta(k, 1))', 'x[n,h]'],
    ['sum(k, sum(i, d[n,f,i] * w[f,k] * delta(k, 0) * delta(h, 2*i + k)))', 'x[n,h]'],
  ])('%s', (formula, ranges) => {
    // the rhs gives the free indices their ranges
    const claim = checked(scenario, { lhs: formula, rhs: ranges });
    const planned = evaluateIn(world, scenario, claim).lhs.data;
    const written = evaluateIn(world, scenario, claim, { evaluator: WRITTEN }).lhs.data;
    const scale = Math.max(1, ...written.map(Math.abs));
    const allowed = (world === 'reference' ? 1e-13 : 1e-5) * scale;
    expect(planned.length).toBe(written.length);
    expect(planned.filter((p, at) => !(Math.abs(p - written[at]) <= allowed))).toEqual([]);
  });

  it('a summed index no factor uses: K times the summand, in both orders', () => {
    const claim = checked(scenario, { lhs: 'sum(k < K, x[n,h])', rhs: 'x[n,h]' });
    for (const options of [{}, { evaluator: WRITTEN }]) {
      const { lhs, rhs } = evaluateIn(world, scenario, claim, options);
      lhs.data.forEach((v, at) => expect(v).toBeCloseTo(3 * rhs.data[at], 5));
    }
  });
});
