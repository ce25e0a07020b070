import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { symbolTableOf } from '../../src/scenario/computationOf';
import { checkClaim } from '../../src/formula/check';
import { FormulaError } from '../../src/formula/formulaError';
import { parseFormula } from '../../src/formula/parser';
import { MAX_FORMULA_LENGTH } from '../../src/formula/scanner';
import { findScenarioFiles } from '../../src/load/findScenarioFiles';
import { parseScenarioText } from '../../src/load/loadScenario';
import { formatProblem } from '../../src/foundation/problem';
import { useSpecBackend } from '../support/backend';
import { mutatedOutcome } from '../support/mutatedOutcome';

// Random and mutated input never crashes derivcheck: the parser throws only FormulaError and
// answers quickly, the checker returns {ok: false}, and a mutated scenario is either a list of
// problems or a run. (Print → parse round trips of random trees live in spec/formula/printer.spec.ts.)

useSpecBackend();

/** Milliseconds one parse of at most MAX_FORMULA_LENGTH characters may take, GC pauses included. */
const PARSE_BOUND_MS = 50;
const SEED = 20240611; // fixed, so a failure reproduces; fast-check prints the counterexample

const shipped = findScenarioFiles([join(__dirname, '..', '..', 'scenarios')]).map((file) => JSON.parse(readFileSync(file, 'utf8')));
const designFormulas = [
  'grad(E, W1)[i,j]',
  'x[0,i] * sum(k, (o[0,k] - y[0,k]) * W2[j,k])',
  'mean(n, x[n,i] * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))',
  'a1[n,j] * (1 - a1[n,j])',
  'grad(-log(1 - o[0,k]), W2)[j,k]',
  'k == 0 and not (x[0,i] > 0.5) or delta(i, j) != 1',
  'next(W2)[j,k] - W2[j,k] + 0.1 * grad(E, W2)[j,k]',
  '2^-1 * exp(net1[n,j]) / sqrt(abs(step(b1[j]) + relu(tanh(sigmoid(1e-3)))))',
];
/** Every formula the shipped scenarios hold, plus the examples of DESIGN §2. */
const validFormulas: string[] = [
  ...new Set([
    ...designFormulas,
    ...shipped.flatMap((s: { claims?: { lhs: string; rhs: string; where?: string }[] }) =>
      (s.claims ?? []).flatMap((c) => [c.lhs, c.rhs, ...(c.where ? [c.where] : [])]),
    ),
  ]),
];

/** Characters formulas are made of, and some they are not. */
const formulaChars = [...'abcijknoxyEGNWb0123456789.e+-*/^()[],<>=! _\t\n', '∂', 'Σ', '😀', '\u0000', '"', "'", '`', '{', '}', ';', '\\'];
const formulaText = fc.string({ unit: fc.constantFrom(...formulaChars), maxLength: 2000 });
const anyText = fc.oneof(fc.string({ maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 500 }), formulaText);

type Edit = { op: 'insert' | 'delete' | 'replace'; at: number; text: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('insert', 'delete', 'replace'),
  at: fc.nat(),
  text: fc.oneof(fc.constantFrom(...formulaChars), fc.constantFrom('(', ')', '[', ']', ',', 'sum(', 'grad(E, ', '[i,', 'constructor', '__proto__', '1e999')),
});
function applyEdits(formula: string, edits: Edit[]): string {
  let out = formula;
  for (const { op, at, text } of edits) {
    const i = out.length === 0 ? 0 : at % (out.length + 1);
    if (op === 'insert') out = out.slice(0, i) + text + out.slice(i);
    else if (op === 'delete') out = out.slice(0, i) + out.slice(i + 1);
    else out = out.slice(0, i) + text + out.slice(i + 1);
  }
  return out;
}
const mutatedFormula = fc.tuple(fc.constantFrom(...validFormulas), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([f, edits]) => applyEdits(f, edits));

/**
 * Parses, and says how it went: a tree, or a FormulaError with a position inside the text. A
 * parse over the bound is timed twice more and the fastest counts: a GC pause or a JIT
 * recompile happens once, a slow input is slow every time.
 */
function parseOutcome(text: string, bound = PARSE_BOUND_MS): { threw: string | null; ms: number } {
  let outcome = parseOnce(text);
  for (let again = 0; again < 2 && outcome.ms > bound; again++) outcome = { ...outcome, ms: Math.min(outcome.ms, parseOnce(text).ms) };
  return outcome;
}

function parseOnce(text: string): { threw: string | null; ms: number } {
  const t0 = performance.now();
  let threw: string | null = null;
  try {
    parseFormula(text);
  } catch (e) {
    if (!(e instanceof FormulaError)) threw = `${(e as Error)?.name}: ${(e as Error)?.message}`;
    else if (!(e.pos >= 0 && e.pos <= text.length && e.end >= e.pos)) threw = `position ${e.pos}..${e.end} outside the text`;
  }
  return { threw, ms: performance.now() - t0 };
}

describe('parseFormula on random input (property)', () => {
  it('parses every valid formula the mutations start from', () => {
    const failing = validFormulas.filter((f) => parseOutcome(f).threw !== null || (() => { try { parseFormula(f); return false; } catch { return true; } })());
    expect({ count: validFormulas.length >= designFormulas.length, failing }).toEqual({ count: true, failing: [] });
  });

  it('random strings: a tree or a FormulaError, quickly', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { threw, ms } = parseOutcome(text);
        expect({ text, threw, slow: ms > PARSE_BOUND_MS ? ms : false }).toEqual({ text, threw: null, slow: false });
      }),
      { numRuns: 1500, seed: SEED },
    );
  });

  it('mutations of valid formulas: a tree or a FormulaError, quickly', () => {
    fc.assert(
      fc.property(mutatedFormula, (text) => {
        const { threw, ms } = parseOutcome(text);
        expect({ text, threw, slow: ms > PARSE_BOUND_MS ? ms : false }).toEqual({ text, threw: null, slow: false });
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  // the shapes that make recursive parsers slow or overflow the stack, at the length limit
  it.each([
    ['(', '('.repeat(MAX_FORMULA_LENGTH)],
    ['-', '-'.repeat(MAX_FORMULA_LENGTH - 1) + 'x'],
    ['1+', '1+'.repeat(MAX_FORMULA_LENGTH / 2 - 1) + '1'],
    ['a^', 'a^'.repeat(MAX_FORMULA_LENGTH / 2 - 1) + 'a'],
    ['exp(', 'exp('.repeat(MAX_FORMULA_LENGTH / 4)],
    ['x[i,', 'x[' + 'i,'.repeat(MAX_FORMULA_LENGTH / 2 - 2) + 'i]'],
    ['long name', 'W'.repeat(MAX_FORMULA_LENGTH)],
    ['one too long', '1'.repeat(MAX_FORMULA_LENGTH + 1)],
  ])('pathological input: %s', (_, text) => {
    const { threw, ms } = parseOutcome(text, 10 * PARSE_BOUND_MS);
    expect({ threw, slow: ms > 10 * PARSE_BOUND_MS ? ms : false }).toEqual({ threw: null, slow: false });
  });
});

// A small network all the symbols of DESIGN §2 exist in: x, W1, b1, W2, b2, net*, a*, o, y, E, N, G.
const tiny = {
  title: 'tiny network for mutations',
  seed: 5,
  trials: 1,
  model: {
    inputs: 2,
    layers: [
      { units: 3, activation: 'tanh', init: { uniform: [-0.5, 0.5] } },
      { units: 2, activation: 'linear', bias: true, init: { values: [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]] } },
    ],
    loss: { type: 'softmax-cross-entropy', reduction: 'mean' },
  },
  data: { batch: 2, x: { normal: [0, 1] }, labels: [1, 0] },
  optimizer: { type: 'sgd', learningRate: 0.1 },
  constants: { G: [[0.1, 0.2]] },
  claims: [
    { id: 'output-error', says: 'dE/dnet2 = (o − y)/N', lhs: 'grad(E, net2)[n,k]', rhs: '(o[n,k] - y[n,k]) / N', expect: 'holds' },
    { id: 'hidden', says: 'dE/dW1', lhs: 'grad(E, W1)[i,j]', rhs: 'mean(n, x[n,i] * (1 - a1[n,j]^2) * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))', expect: 'holds' },
    { id: 'step', says: 'sgd', lhs: 'next(b2)[k]', rhs: 'b2[k] - 0.1 * grad(E, b2)[k]', where: 'k == 0 or G[0,k] > 0', expect: 'holds' },
  ],
};
const table = symbolTableOf((() => {
  const loaded = parseScenarioText(JSON.stringify(tiny), 'tiny.json');
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  return loaded.scenario;
})());

describe('checkClaim on mutated formulas (property)', () => {
  it('returns a result, never throws', () => {
    const side = fc.oneof(mutatedFormula, fc.constantFrom(...validFormulas));
    fc.assert(
      fc.property(side, side, fc.option(side, { nil: undefined }), (lhs, rhs, where) => {
        let outcome: string;
        try {
          const result = checkClaim({ lhs, rhs, ...(where === undefined ? {} : { where }) }, table);
          outcome = result.ok ? 'ok' : result.error instanceof FormulaError ? 'problem' : 'not a FormulaError';
        } catch (e) {
          outcome = `threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
        }
        expect({ lhs, rhs, where, outcome: ['ok', 'problem'].includes(outcome) ? 'fine' : outcome }).toEqual({ lhs, rhs, where, outcome: 'fine' });
      }),
      { numRuns: 1500, seed: SEED },
    );
  });
});

// ---- random mutations of a valid scenario -------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

function pathsOf(value: Json, path: Path = []): Path[] {
  const here = [path];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...path, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]))];
  return here;
}

const replacements: Json[] = [0, -1, 1e9, 1.5, 'NaN', 'Infinity', '', 'x', null, true, [], {}, [[1, 2], [3]], { constant: 1 }, 2, 4096];
type Mutation = { kind: 'delete' | 'set' | 'duplicate-claim' | 'formula'; pick: number; value: Json; edits: Edit[] };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'set', 'set', 'duplicate-claim', 'formula'),
  pick: fc.nat(),
  value: fc.constantFrom(...replacements),
  edits: fc.array(edit, { minLength: 1, maxLength: 3 }),
});

function mutate(scenario: Json, mutations: Mutation[]): Json {
  const root = structuredClone(scenario) as { [key: string]: Json };
  for (const m of mutations) {
    if (m.kind === 'duplicate-claim') {
      const claims = root.claims;
      if (Array.isArray(claims) && claims.length > 0) claims.push(structuredClone(claims[m.pick % claims.length]));
      continue;
    }
    const paths = pathsOf(root).filter((p) => p.length > 0);
    const targets = m.kind === 'formula' ? paths.filter((p) => ['lhs', 'rhs', 'where'].includes(String(p[p.length - 1]))) : paths;
    if (targets.length === 0) continue;
    const path = targets[m.pick % targets.length];
    const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k as string], root) as Record<string | number, Json>;
    const key = path[path.length - 1];
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.kind === 'set') {
      parent[key] = structuredClone(m.value);
    } else if (typeof parent[key] === 'string') {
      parent[key] = applyEdits(parent[key] as string, m.edits);
    }
  }
  return root;
}

describe('mutated scenario JSON (property)', () => {
  it('gives problems or a scenario that runs', () => {
    let ran = 0;
    const before = tf.memory().numTensors;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const json = mutate(tiny as unknown as Json, mutations);
        const { outcome, ran: didRun } = mutatedOutcome(json, () => ran < 40);
        if (didRun) ran++;
        expect({ mutations, outcome }).toEqual({ mutations, outcome: 'fine' });
      }),
      { numRuns: 300, seed: SEED },
    );
    expect({ ran: ran > 0, numTensors: tf.memory().numTensors }).toEqual({ ran: true, numTensors: before });
  });
});
