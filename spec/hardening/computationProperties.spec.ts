import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { formatProblem } from '../../src/foundation/problem';
import { parseScenarioText } from '../../src/load/loadScenario';
import type { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';
import { mutatedOutcome } from '../support/mutatedOutcome';
import { checked, evaluateIn } from '../support/formulaWorlds';

// Computations written at random: both worlds agree on E and on every gradient of it, so the
// generic machinery (definitions in float64 and in tfjs, moved passes on lines, slices and
// increments, the chain rule through linear readers) holds beyond the shipped examples; and a
// computation block mutated at random gives problems or a run, never a crash.

useSpecBackend();

const SEED = 20261206;

// ---- random smooth computations ------------------------------------------------------------

/** Smooth functions of one number, written around `·`. */
const FUNCTIONS = ['·', 'tanh(·)', 'sigmoid(·)', 'softplus(·)', 'exp(· / 4)', '(·)^2 / 2', 'log(1 + (·)^2)', 'sqrt(1 + (·)^2)'];

interface Step {
  f: number;
  op: '+' | '-' | '*';
  left: number;
  right: number;
}

interface Recipe {
  A: number;
  B: number;
  steps: Step[];
  loss: 0 | 1;
}

const recipes: fc.Arbitrary<Recipe> = fc.record({
  A: fc.integer({ min: 1, max: 3 }),
  B: fc.integer({ min: 1, max: 3 }),
  steps: fc.array(fc.record({ f: fc.nat(FUNCTIONS.length - 1), op: fc.constantFrom('+' as const, '-' as const, '*' as const), left: fc.nat(), right: fc.nat() }), { minLength: 1, maxLength: 4 }),
  loss: fc.constantFrom(0 as const, 1 as const),
});

/** What a step may read at [i,j]: the tensors, earlier definitions, and sums over one index. */
function readsBefore(step: number): { full: string[]; any: string[] } {
  const earlier = Array.from({ length: step }, (_, k) => `d${k}`);
  const full = ['P[i,j]', ...earlier.map((d) => `${d}[i,j]`)];
  return {
    // a read over both axes (so the definition's i and j have their ranges)
    full,
    any: [
      ...full,
      'Q[j]',
      'R[i]',
      // a row sum against Q, a column mean: [i] and [j] read by a 2-D definition
      ...['P', ...earlier].map((t) => `sum(m, ${t}[i,m] * Q[m])`),
      ...['P', ...earlier].map((t) => `mean(m, ${t}[m,j])`),
    ],
  };
}

function computationScenario(recipe: Recipe): Scenario {
  const define = recipe.steps.map((step, k) => {
    const { full, any } = readsBefore(k);
    const inner = `${full[step.left % full.length]} ${step.op} ${any[step.right % any.length]}`;
    return `d${k}[i,j] = ${FUNCTIONS[step.f].replace('·', inner)}`;
  });
  const last = `d${recipe.steps.length - 1}`;
  const loss = recipe.loss === 0 ? `sum(i, sum(j, ${last}[i,j] * P[i,j]))` : `mean(i, sum(j, ${last}[i,j]^2)) / 2`;
  const loaded = parseScenarioText(
    JSON.stringify({
      title: 'a random smooth computation',
      seed: 7,
      computation: {
        sizes: { A: recipe.A, B: recipe.B },
        tensors: { P: { shape: ['A', 'B'] }, Q: { shape: ['B'], init: { normal: [0, 0.5] } }, R: { shape: ['A'] } },
        define,
        loss,
      },
    }),
    'random.json',
  );
  if (!loaded.ok) throw new Error(`${define.join('; ')}; E = ${loss}: ${loaded.problems.map(formatProblem).join('\n')}`);
  return loaded.scenario;
}

/**
 * Elements where tfjs (float32) and the reference (float64) are further apart than float32
 * allows: 2e-5 of the largest element (a few hundred float32 roundings through at most four
 * definitions; a reference off by 1e-4 in one function is caught).
 */
function disagreements(scenario: Scenario, lhs: string, ranges: string): string[] {
  const claim = checked(scenario, { lhs, rhs: ranges });
  const reference = evaluateIn('reference', scenario, claim).lhs.data;
  const tfjs = evaluateIn('tfjs', scenario, claim).lhs.data;
  const scale = Math.max(1, ...reference.map(Math.abs));
  return reference.flatMap((r, at) => (Math.abs(tfjs[at] - r) <= 2e-5 * scale ? [] : [`${lhs} at ${at}: tfjs ${tfjs[at]}, reference ${r}`]));
}

describe('random smooth computations (property)', () => {
  it('both worlds agree on E and on its gradient by every tensor and definition', () => {
    fc.assert(
      fc.property(recipes, (recipe) => {
        const scenario = computationScenario(recipe);
        const definitions = recipe.steps.map((_, k) => `d${k}`);
        const wrong = [
          ...disagreements(scenario, 'E', '0'),
          ...disagreements(scenario, 'grad(E, P)[i,j]', 'P[i,j]'),
          ...disagreements(scenario, 'grad(E, Q)[j]', 'Q[j]'),
          ...disagreements(scenario, 'grad(E, R)[i]', 'R[i]'),
          ...definitions.flatMap((d) => disagreements(scenario, `grad(E, ${d})[i,j]`, `${d}[i,j]`)),
        ];
        expect({ define: scenario.computation!.define, loss: scenario.computation!.loss, wrong }).toEqual({ define: scenario.computation!.define, loss: scenario.computation!.loss, wrong: [] });
      }),
      { numRuns: 60, seed: SEED },
    );
  });
});

// ---- mutated computation blocks -------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const startingPoints: Record<string, Json> = {
  'batch normalisation': {
    title: 'batch norm for mutations',
    seed: 3,
    computation: {
      sizes: { B: 3, D: 2 },
      tensors: { x: { shape: ['B', 'D'] }, gamma: { shape: ['D'] }, dout: { shape: ['B', 'D'] } },
      define: ['mu[d] = mean(n, x[n,d])', 'v[d] = mean(n, (x[n,d] - mu[d])^2)', 'out[n,d] = gamma[d] * (x[n,d] - mu[d]) / sqrt(v[d] + 1e-5)'],
      loss: 'sum(n, sum(d, out[n,d] * dout[n,d]))',
    },
    claims: [{ id: 'dgamma', says: '', lhs: 'grad(E, gamma)[d]', rhs: 'sum(n, dout[n,d] * (x[n,d] - mu[d]) / sqrt(v[d] + 1e-5))', expect: 'holds' }],
  },
  'a strided, padded convolution with pooling and labels': {
    title: 'convolution for mutations',
    seed: 4,
    computation: {
      sizes: { N: 2, L: 5, K: 3, F: 2 },
      tensors: { x: { shape: ['N', 'L'] }, w: { shape: ['F', 'K'] }, t: { shape: ['N'], classes: 2 } },
      define: ['out[n,f,i] = sum(k, pad(x, 0, 1)[n, 2*i + k] * w[f,k])', 'pool[n,f] = maxover(i, out[n,f,i])'],
      loss: 'mean(n, log(sum(f, exp(pool[n,f]))) - pool[n, t[n]])',
    },
    claims: [{ id: 'dw', says: '', lhs: 'grad(E, w)[f,k]', rhs: 'sum(n, sum(i, grad(E, out)[n,f,i] * pad(x, 0, 1)[n, 2*i + k]))', expect: 'holds' }],
  },
};

function pathsOf(value: Json, path: Path = []): Path[] {
  const here = [path];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...path, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]))];
  return here;
}

const replacements: Json[] = [0, -1, 1e9, 1.5, 'NaN', '', 'x', 'N', null, true, [], {}, ['N', 'N', 'N', 'N', 'N', 'N', 'N', 'N', 'N'], { classes: 0 }, 2, 4096];
const textEdits = ['(', ')', '[', ']', ',', '+ 1', '*i', 'sum(q, ', 'pad(', 'grad(E, x)', 't[n]', 'maxover(', ' < 9', '=', 'out', '__proto__'];

interface Mutation {
  kind: 'delete' | 'set' | 'edit';
  pick: number;
  value: Json;
  at: number;
  text: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete' as const, 'set' as const, 'edit' as const, 'edit' as const),
  pick: fc.nat(),
  value: fc.constantFrom(...replacements),
  at: fc.nat(),
  text: fc.constantFrom(...textEdits),
});

function mutate(start: Json, mutations: Mutation[]): Json {
  const root = structuredClone(start) as { [key: string]: Json };
  for (const m of mutations) {
    const paths = pathsOf(root).filter((p) => p.length > 0);
    // formulas: the definitions, the loss and the claims' sides
    const targets = m.kind === 'edit' ? paths.filter((p) => p[p.length - 2] === 'define' || ['loss', 'lhs', 'rhs'].includes(String(p[p.length - 1]))) : paths;
    if (targets.length === 0) continue;
    const path = targets[m.pick % targets.length];
    const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k as string], root) as Record<string | number, Json>;
    const key = path[path.length - 1];
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.kind === 'set') parent[key] = structuredClone(m.value);
    else if (typeof parent[key] === 'string') {
      const text = parent[key] as string;
      const at = m.at % (text.length + 1);
      parent[key] = text.slice(0, at) + m.text + text.slice(at);
    }
  }
  return root;
}

describe.each(Object.entries(startingPoints))('a mutated computation: %s (property)', (_name, start) => {
  it('gives problems that point into the file, or a scenario that runs', () => {
    let ran = 0;
    let refused = 0;
    const before = tf.memory().numTensors;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const json = mutate(start, mutations);
        const { outcome, refused: wasRefused, ran: didRun } = mutatedOutcome(json, () => ran < 30);
        if (wasRefused) refused++;
        if (didRun) ran++;
        expect({ json, outcome }).toEqual({ json, outcome: 'fine' });
      }),
      { numRuns: 200, seed: SEED },
    );
    // the mutations reach both ends: files refused, and files that still run
    expect({ ran: ran > 0, refused: refused > 0, numTensors: tf.memory().numTensors }).toEqual({ ran: true, refused: true, numTensors: before });
  });
});
