import { runScenario } from '../../src/claim/runScenario';
import { symbolTableOf } from '../../src/scenario/computationOf';
import { checkClaim } from '../../src/formula/check';
import { renderFormulaError } from '../../src/formula/formulaError';
import { parseScenarioText } from '../../src/load/loadScenario';
import { formatProblem } from '../../src/foundation/problem';
import type { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// The formula language cannot reach JavaScript: names that mean something to a JS object or to
// Node are plain names. Undefined, they are unknown symbols or functions; defined as constants or
// used as index variables, they work like any other name.

useSpecBackend();

const HOSTILE = ['constructor', '__proto__', 'prototype', 'process', 'this', 'globalThis', 'require', 'toString', 'hasOwnProperty', 'valueOf', 'eval', 'Function'];

function load(json: object): Scenario {
  const loaded = parseScenarioText(JSON.stringify(json), 'hostile.json');
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  return loaded.scenario;
}

const base = {
  title: 'hostile names',
  seed: 2,
  model: { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 2 }], loss: { type: 'softmax-cross-entropy' } },
  data: { batch: 2, labels: [0, 1] },
  optimizer: { type: 'sgd', learningRate: 0.1 },
};
const table = symbolTableOf(load(base));

/** The first line of the checker's answer, or 'ok'. */
function checked(lhs: string, rhs = '0', where?: string): string {
  const result = checkClaim({ lhs, rhs, ...(where === undefined ? {} : { where }) }, table);
  return result.ok ? 'ok' : `${result.field}: ${renderFormulaError(result.error).split('\n')[0]}`;
}

describe.each(HOSTILE)('%s', (name) => {
  it('as a symbol: unknown symbol', () => {
    expect(checked(name)).toBe(`lhs: unknown symbol '${name}' at character 0`);
  });

  it('as an indexed symbol: unknown symbol', () => {
    expect(checked(`${name}[0,0]`)).toBe(`lhs: unknown symbol '${name}' at character 0`);
  });

  it('as a function: unknown function', () => {
    expect(checked(`${name}(E)`)).toBe(`lhs: unknown function '${name}' at character 0`);
  });

  it('as the target of grad and next: unknown symbol', () => {
    expect([checked(`grad(E, ${name})`), checked(`next(${name})`)]).toEqual([
      `lhs: unknown symbol '${name}' at character 8`,
      `lhs: unknown symbol '${name}' at character 5`,
    ]);
  });

  it('as a name in where: unknown name', () => {
    expect(checked('grad(E, W2)[j,k]', '0', `${name} > 0`)).toBe(`where: unknown name '${name}': neither a symbol nor a free index of lhs or rhs at character 0`);
  });

  it('as an index variable: an ordinary index, in both worlds', () => {
    const scenario = load({
      ...base,
      claims: [
        // the sum over a hostile name, against the same sum over k
        { id: 'bound', says: 's', lhs: `sum(${name}, W2[j,${name}])`, rhs: 'sum(k, W2[j,k])', expect: 'holds' },
        // a free index with a hostile name, used in where too
        {
          id: 'free',
          says: 's',
          lhs: `grad(E, W2)[j,${name}]`,
          rhs: `mean(n, a1[n,j] * (o[n,${name}] - y[n,${name}]))`,
          where: `${name} == 1 or j >= 0`,
          expect: 'holds',
        },
      ],
    });
    const results = runScenario(scenario);
    expect(results.map((r) => ({ id: r.id, verdict: r.verdict, message: r.message, indices: r.indices }))).toEqual([
      { id: 'bound', verdict: 'holds', message: undefined, indices: ['j'] },
      { id: 'free', verdict: 'holds', message: undefined, indices: ['j', name] },
    ]);
  });
});

describe('hostile names as constants', () => {
  const allowed = HOSTILE.filter((n) => n !== '__proto__');

  it('are ordinary constants in both worlds', () => {
    // constant number i is [i + 1, 2(i + 1)]: their sum is (1 + 2 + …) times the first, [1, 2]
    const constants = Object.fromEntries(allowed.map((n, i) => [n, [i + 1, 2 * (i + 1)]]));
    const total = allowed.reduce((s, _, i) => s + i + 1, 0);
    const scenario = load({
      ...base,
      constants,
      claims: [{ id: 'sum', says: 's', lhs: allowed.map((n) => `${n}[k]`).join(' + '), rhs: `${total} * ${allowed[0]}[k]`, expect: 'holds' }],
    });
    const [result] = runScenario(scenario);
    expect({ verdict: result.verdict, message: result.message }).toEqual({ verdict: 'holds', message: undefined });
  });

  it('except __proto__, which is refused with a message', () => {
    const text = JSON.stringify({ ...base, constants: { G: 1 } }).replace('"G":1', '"__proto__":[1,2]');
    const loaded = parseScenarioText(text, 'proto.json');
    expect(loaded.ok ? 'loaded' : loaded.problems.map(formatProblem)).toEqual(["proto.json: constants.__proto__: '__proto__' cannot name a constant"]);
  });

  it('claim ids that are hostile names are plain ids', () => {
    const claims = ['constructor', '__proto__', 'toString'].map((id) => ({ id, says: id, lhs: 'E', rel: '>', rhs: '0', expect: 'holds' }));
    const results = runScenario(load({ ...base, claims }));
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ['constructor', 'holds'],
      ['__proto__', 'holds'],
      ['toString', 'holds'],
    ]);
  });
});
