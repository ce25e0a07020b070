import * as rowBlocks from '../../src/claim/rowBlocks';
import { runScenario, type ClaimResult } from '../../src/claim/runScenario';
import * as scaleHints from '../../src/claim/scaleHints';
import { checkClaim } from '../../src/formula/check';
import * as chainRule64 from '../../src/reference/chainRule64';
import { maxAbs } from '../../src/foundation/tensor';
import { blockRows, blocksOfRows, referenceWorld, ROW_BLOCK } from '../../src/reference/world64';
import { computationOf, symbolTableOf } from '../../src/scenario/computationOf';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { useSpecBackend } from '../support/backend';

// A gradient claim on a large parameter is judged a block of its rows at a time (rowBlocks.ts).
// With the sides kept (explain) it is judged whole. Both must give the same results: verdicts,
// each world's outcome, counts, deciding element and self-test, for claims that hold, claims
// refuted everywhere or at a few elements, other relations and quantifiers, a non-finite rhs.

const inputs = 499;
const hidden = 160;
// W1: 79,840 elements, ROW_BLOCK / 160 = 204 rows a block (499 is prime: no divisor makes them
// alike): three blocks, the last shorter (204, 204, 91 rows)
const classes = 10;

function scenario(activation: 'linear' | 'tanh', claims: { id: string; lhs?: string; rhs: string; rel?: string; quantifier?: string; where?: string; expect?: string; verdict?: string }[], rows = inputs, spreads = [0.05, 0.05]): Scenario {
  return Scenario.parse({
    title: 'row blocks',
    seed: 3,
    trials: 2,
    model: {
      inputs: rows,
      layers: [
        { units: hidden, activation, bias: false, init: { normal: [0, spreads[0]] } },
        { units: classes, activation: 'linear', bias: false, init: { normal: [0, spreads[1]] } },
      ],
      loss: { type: 'softmax-cross-entropy', reduction: 'mean' },
    },
    data: { batch: 8, labels: { random: true } },
    claims: claims.map(({ verdict: _verdict, ...c }) => ({ says: c.id, lhs: 'grad(E, W1)[i,j]', expect: 'holds', ...c })),
  });
}

/** A result without what differs between runs by its nature (times) or by request (kept sides). */
function comparable(r: ClaimResult): unknown {
  const { sides: _sides, ...rest } = r;
  const worlds = Object.fromEntries(Object.entries(rest.worlds).map(([name, w]) => [name, { ...w, elapsedMs: 0 }]));
  return { ...rest, worlds };
}

const delta = 'sum(k, (o[n,k] - y[n,k]) * W2[j,k])';
const tanhRhs = `mean(n, x[n,i] * (1 - a1[n,j]^2) * ${delta})`;
const linearRhs = `mean(n, x[n,i] * ${delta})`;
const lossWrittenOut = 'mean(n, -sum(k, y[n,k] * log(o[n,k])))';

useSpecBackend();

describe('a gradient claim on a large parameter, by blocks of its rows', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is cut into several blocks here', () => {
    expect(inputs * hidden).toBeGreaterThan(2 * ROW_BLOCK);
    expect(blockRows(inputs, hidden)).toBe(204);
    expect([...blocksOfRows(inputs, hidden)]).toEqual([[0, 204], [204, 408], [408, 499]]);
  });

  const cases: [string, 'linear' | 'tanh', Parameters<typeof scenario>[1]][] = [
    ['claims that hold (closed form, grad(E, net2), factors permuted)', 'tanh', [
      { id: 'closed', rhs: tanhRhs },
      { id: 'net2', rhs: 'sum(n, x[n,i] * (1 - a1[n,j]^2) * sum(k, grad(E, net2)[n,k] * W2[j,k]))' },
      { id: 'permuted', rhs: `sum(k, W2[j,k] * mean(n, (o[n,k] - y[n,k]) * x[n,i] * (1 - a1[n,j]^2)))` },
      { id: 'padded', rhs: `mean(n, x[n,i] * (1 - pad(a1, 0, 1)[n, j + 1]^2) * ${delta})` },
    ]],
    ['a claim refuted everywhere (1/N left out, φ′ left out)', 'tanh', [
      { id: 'no-mean', rhs: `sum(n, x[n,i] * (1 - a1[n,j]^2) * ${delta})`, expect: 'refuted' },
      { id: 'no-slope', rhs: `mean(n, x[n,i] * ${delta})`, expect: 'refuted' },
    ]],
    ['a claim refuted at a few elements only (where W1 is largest)', 'linear', [
      { id: 'few', rhs: `${linearRhs} + 1e12 * W1[i,j]^12`, expect: 'refuted' },
    ]],
    ['other relations and quantifiers', 'linear', [
      { id: 'le', rhs: `${linearRhs} + 1e-3`, rel: '<=' },
      { id: 'gt', rhs: `${linearRhs} + 1e-3`, rel: '>', expect: 'refuted' },
      { id: 'any', rhs: `${linearRhs} + 1e12 * W1[i,j]^12`, quantifier: 'any' },
      { id: 'ne', rhs: linearRhs, rel: '!=', expect: 'refuted' },
    ]],
    ['a rhs that is not a number at some elements', 'linear', [{ id: 'nan', rhs: `${linearRhs} + log(W1[i,j])`, verdict: 'error' }]],
    ['the derivative of a formula other than E (the loss written out; twice it, halved; off by 0.1%; plus a term that does not belong)', 'tanh', [
      { id: 'formula', rhs: `grad(${lossWrittenOut}, W1)[i,j]` },
      { id: 'formula-twice', rhs: `0.5 * grad(2 * ${lossWrittenOut}, W1)[i,j]` },
      { id: 'formula-decay', rhs: `grad(${lossWrittenOut}, W1)[i,j] + 0.1 * W1[i,j]`, expect: 'refuted' },
      { id: 'formula-off', rhs: `1.001 * grad(${lossWrittenOut}, W1)[i,j]`, expect: 'refuted' },
    ]],
  ];

  it.each(cases)('%s: the same results as judged whole', (_, activation, claims) => {
    const blocks = jest.spyOn(rowBlocks, 'judgeByRowBlocks');
    const s = scenario(activation, claims);
    const byBlocks = runScenario(s);
    expect(blocks).toHaveBeenCalledTimes(claims.length * s.trials);
    blocks.mockClear();
    const whole = runScenario(s, { keepSides: true });
    expect(blocks).not.toHaveBeenCalled();
    expect(byBlocks.map((r) => r.verdict)).toEqual(claims.map((c) => c.verdict ?? c.expect ?? 'holds'));
    expect(byBlocks.map(comparable)).toEqual(whole.map(comparable));
  });

  it('with blocks all alike (500 rows: 4 blocks of 125), the same results as judged whole', () => {
    expect([...blocksOfRows(500, hidden)].map(([from, to]) => to - from)).toEqual([125, 125, 125, 125]);
    // a claim that holds, its grad(E, net2) form, and one refuted where W1 is largest
    const claims = [...cases[0][2].slice(0, 2), { id: 'few', rhs: `${tanhRhs} + 1e12 * W1[i,j]^12`, expect: 'refuted' }];
    const s = scenario('tanh', claims, 500);
    const blocks = jest.spyOn(rowBlocks, 'judgeByRowBlocks');
    const byBlocks = runScenario(s);
    expect(blocks).toHaveBeenCalledTimes(claims.length * s.trials);
    const whole = runScenario(s, { keepSides: true });
    expect(byBlocks.map((r) => r.verdict)).toEqual(['holds', 'holds', 'refuted']);
    expect(byBlocks.map(comparable)).toEqual(whole.map(comparable));
  });

  /** Counts the calls of ∂E/∂W1's rows (the world's own, for the gradient scale, too), with and without the error bound. */
  function countRows(): { values: number; withError: number } {
    const count = { values: 0, withError: 0 };
    const original = chainRule64.throughLinearRows;
    jest.spyOn(chainRule64, 'throughLinearRows').mockImplementation((...args) => {
      const rows = original(...args);
      return rows && Object.assign((from: number, to: number, valuesOnly?: boolean) => (valuesOnly ? count.values++ : count.withError++, rows(from, to, valuesOnly)), rows);
    });
    return count;
  }

  it('reads each block once: the gradient scale is settled by the blocks, under a guess from the block where tfjs says |∂E/∂W1| is largest', () => {
    const count = countRows();
    const s = scenario('tanh', [{ id: 'closed', rhs: tanhRhs }]);
    const [byBlocks] = runScenario(s, { trials: 1 });
    expect(byBlocks.verdict).toBe('holds');
    // 3 blocks judged, and the guess's block read for its values; no pass of the scale's own
    // (3 more reads of values), nor one for the agreement check, which reads the settled scale
    expect(count).toEqual({ values: 1, withError: 3 });
    expect(comparable(byBlocks)).toEqual(comparable(runScenario(s, { trials: 1, keepSides: true })[0]));
  });

  it('where the guess falls short (tfjs pointed elsewhere), judges the blocks again under the scale they give: the same results as judged whole', () => {
    const claims = [
      { id: 'closed', rhs: tanhRhs },
      { id: 'no-mean', rhs: `sum(n, x[n,i] * (1 - a1[n,j]^2) * ${delta})`, expect: 'refuted' },
      { id: 'le', rhs: `${tanhRhs} + 1e-3`, rel: '<=' },
    ];
    // small first-layer weights and large second-layer ones: W1's share is the gradient scale
    const s = scenario('tanh', claims, inputs, [0.01, 2]);
    const world = referenceWorld(s, drawTrial(s, 0));
    const g = world.lossGradient!('W1')!;
    expect(maxAbs(world.lossGradient!('W2')!.data)).toBeLessThan(maxAbs(g.data));
    // an element in a block whose largest |∂E/∂W1| is below the largest of all
    const largest = (from: number, to: number) => maxAbs(g.data.subarray(from * hidden, to * hidden));
    const [from, to] = [...blocksOfRows(inputs, hidden)].find(([a, b]) => largest(a, b) < maxAbs(g.data))!;
    expect(largest(from, to)).toBeLessThan(maxAbs(g.data));
    jest.spyOn(scaleHints, 'largestGradientElements').mockReturnValue(new Map([['W1', from * hidden]]));
    const count = countRows();
    const byBlocks = runScenario(s, { trials: 1 });
    // the first claim: the guess's block, the blocks judged twice; the others under the settled scale
    expect(count).toEqual({ values: 1, withError: 2 * 3 + 2 * 3 });
    const whole = runScenario(s, { trials: 1, keepSides: true });
    expect(byBlocks.map((r) => r.verdict)).toEqual(['holds', 'refuted', 'holds']);
    expect(byBlocks.map(comparable)).toEqual(whole.map(comparable));
  });

  it('where the hint cannot be had (the tfjs world failed), leaves the scale to the world: its own pass, the same scale', () => {
    const s = scenario('tanh', []);
    const values = drawTrial(s, 0);
    const failing = referenceWorld(s, values, {
      scaleHints: () => {
        throw new Error('tfjs: no gradient');
      },
    });
    expect(failing.scaleByRows('W1')).toBeNull();
    expect(failing.gradientScale()).toBe(referenceWorld(s, values).gradientScale());
    // with a hint, the share is left to the caller
    expect(referenceWorld(s, values, { scaleHints: () => new Map([['W1', 0]]) }).scaleByRows('W1')).not.toBeNull();
  });

  it('is not taken where a claim needs the whole sides, or its rhs cannot be read by rows', () => {
    const values = drawTrial(scenario('linear', []), 0);
    const reference = referenceWorld(scenario('linear', []), values);
    const parameters = computationOf(scenario('linear', [])).parameters;
    const table = symbolTableOf(scenario('linear', []));
    const plan = (claim: { lhs?: string; rhs: string; where?: string }) => {
      const checked = checkClaim({ lhs: claim.lhs ?? 'grad(E, W1)[i,j]', rhs: claim.rhs, ...(claim.where ? { where: claim.where } : {}) }, table);
      if (!checked.ok) throw new Error(JSON.stringify(checked.error));
      return rowBlocks.rowBlockPlan(checked.claim, reference, parameters);
    };
    expect(plan({ rhs: linearRhs })).toEqual(expect.objectContaining({ symbol: 'W1', count: inputs, rowSize: hidden, index: 'i' }));
    // a where, a small parameter, another lhs than ∂E/∂P, P's indices read otherwise, a rhs that reads i another way
    expect(plan({ rhs: linearRhs, where: 'i > 2' })).toBeNull();
    expect(plan({ lhs: 'grad(E, W2)[j,k]', rhs: 'mean(n, a1[n,j] * (o[n,k] - y[n,k]))' })).toBeNull();
    expect(plan({ lhs: 'W1[i,j]', rhs: 'W1[i,j]' })).toBeNull();
    expect(plan({ lhs: 'grad(E, W1)[i,3]', rhs: 'mean(n, x[n,i] * sum(k, (o[n,k] - y[n,k]) * W2[3,k]))' })).toBeNull();
    expect(plan({ rhs: `${linearRhs} + 0 * x[0,i] * ind(i == 2)` })).toBeNull();
    expect(plan({ rhs: `${linearRhs} + 0 * grad(E, W1)[i,j]` })).toBeNull();
    // grad(F, W1) of a formula F: by its rows where it reads W1 as the lhs does and F is a scalar,
    // one such derivative at most
    expect(plan({ rhs: `grad(${lossWrittenOut}, W1)[i,j]` })?.formula).toEqual(expect.objectContaining({ rows: expect.any(Function) }));
    expect(plan({ rhs: linearRhs })?.formula).toBeNull();
    expect(plan({ rhs: `grad(${lossWrittenOut}, W1)[i,j] + 1e-3 * W1[i,j]` })?.formula).toEqual(expect.objectContaining({ rows: expect.any(Function) }));
    expect(plan({ rhs: `grad(${lossWrittenOut}, W1)[i,j] + grad(sum(n, o[n,0]), W1)[i,j]` })).toBeNull();
    expect(plan({ rhs: `sum(k, grad(sum(n, o[n,k]), W1)[i,j])` })).toBeNull();
    expect(plan({ rhs: `grad(${lossWrittenOut}, W1)[0,j] + 0 * x[0,i]` })).toBeNull();
  });
});
