import { runScenario, type ClaimResult } from '../../src/claim/runScenario';
import { computationOf } from '../../src/scenario/computationOf';
import { ArrayPool, POOLED_LENGTH, withArrayPool } from '../../src/foundation/arrayPool';
import { FULL_GRADIENT_RUNS, referenceWorld } from '../../src/reference/world64';
import { drawTrial } from '../../src/scenario/trialValues';
import { Scenario } from '../../src/scenario/schema';
import { useSpecBackend } from '../support/backend';

// At scale a trial's large arrays go through one pool (src/reference/arrayPool.ts): the tfjs
// sides are read back into one array that the reference's rhs takes once the tfjs world is done
// with it, and the rhs's arrays are taken by the directions. With keepSides (explain) nothing the
// sides hold is given back. Both ways must give the same results, number for number.

const inputs = 300;
const hidden = 256;
// W1 has 76,800 elements: above LARGE_TENSOR and POOLED_LENGTH (pooled arrays); with more
// classes than FULL_GRADIENT_RUNS its ∂E/∂W1 is not taken in full, so the claim is checked by
// sampling (directions, whose arrays come from the pool too)
const classes = 40;

function scenario(claim: { lhs: string; rhs: string }, relu = false, x?: number[][]): Scenario {
  return Scenario.parse({
    title: 'pooled arrays',
    seed: 5,
    model: {
      inputs,
      layers: [
        { units: hidden, activation: relu ? 'relu' : 'tanh', bias: false, init: relu ? { constant: 0.01 } : { normal: [0, 0.05] } },
        { units: classes, activation: 'linear', bias: false, init: { normal: [0, 0.05] } },
      ],
      loss: { type: 'softmax-cross-entropy', reduction: 'sum' },
    },
    data: { batch: 8, ...(x ? { x: { values: x } } : {}), labels: { random: true } },
    claims: [{ id: 'first-layer', says: 'the first layer gradient', ...claim, expect: 'holds' }],
  });
}

/** A result without what differs between runs by its nature (times) or by request (kept sides). */
function comparable(r: ClaimResult): unknown {
  const { sides: _sides, ...rest } = r;
  const worlds = Object.fromEntries(Object.entries(rest.worlds).map(([name, w]) => [name, { ...w, elapsedMs: 0 }]));
  return { ...rest, worlds };
}

const tanhClaim = { lhs: 'grad(E, W1)[i,j]', rhs: 'sum(n, x[n,i] * (1 - a1[n,j]^2) * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))' };

useSpecBackend();

describe('the pool of a trial at scale', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is worth it here: the claim is checked by sampling, its arrays are pooled', () => {
    expect(inputs * hidden).toBeGreaterThanOrEqual(POOLED_LENGTH);
    expect(classes).toBeGreaterThan(FULL_GRADIENT_RUNS);
  });

  it('gives the same results with the sides kept and given back, and reuses the tfjs sides for the reference rhs', () => {
    const give = jest.spyOn(ArrayPool.prototype, 'give');
    const issue = jest.spyOn(ArrayPool.prototype, 'buffer');
    const pooled = runScenario(scenario(tanhClaim), { trials: 2 });
    const given = give.mock.calls.map(([a]) => a.buffer as ArrayBuffer);
    const issued = issue.mock.results.map((r) => r.value as ArrayBuffer);
    give.mockClear();
    const kept = runScenario(scenario(tanhClaim), { trials: 2, keepSides: true });
    expect(pooled[0].verdict).toBe('holds');
    expect(pooled[0].worlds.reference.coverage).toEqual(expect.objectContaining({ elements: inputs * hidden, directions: 2 }));
    expect(pooled.map(comparable)).toEqual(kept.map(comparable));
    // per trial: the tfjs sides' array, the rhs's, the directions' (each trial its own pool)
    expect(given.length).toBeGreaterThanOrEqual(2 * 3);
    // the first array given back (the tfjs sides) is the next one of its size handed out (the rhs)
    const first = given[0];
    const after = issued.slice(issued.indexOf(first) + 1);
    expect(after).toContain(first);
    // with the sides kept, the tfjs sides' array is never given back
    expect(give.mock.calls.every(([a]) => !(kept[0].sides ?? []).some((s) => s.tfjs.lhs.buffer === a.buffer))).toBe(true);
  });

  it("hands a claim's arrays on to the next claim of the trial: three claims take no more arrays than one", () => {
    // 10 classes: ∂E/∂W1 in full, every element judged (no sampled check giving its arrays back)
    const inFull = (ids: string[]) => {
      const one = scenario(tanhClaim);
      return Scenario.parse({ ...one, model: { ...one.model!, layers: [one.model!.layers[0], { ...one.model!.layers[1], units: 10 }] }, claims: ids.map((id) => ({ ...one.claims[0], id })) });
    };
    const distinctBuffers = (s: Scenario): number => {
      const issue = jest.spyOn(ArrayPool.prototype, 'buffer');
      const results = runScenario(s);
      expect(results.every((r) => r.verdict === 'holds' && r.worlds.reference.coverage === undefined)).toBe(true);
      const buffers = new Set(issue.mock.results.map((r) => r.value as ArrayBuffer));
      issue.mockRestore();
      return buffers.size;
    };
    const single = distinctBuffers(inFull(['a']));
    expect(single).toBeGreaterThan(0);
    expect(distinctBuffers(inFull(['a', 'b', 'c']))).toBe(single);
  });

  it('never serves the world its own arrays (what it keeps must not be given back by a claim)', () => {
    const s = scenario(tanhClaim);
    // a pool that serves every length: the world's arrays stay out of it by the world's own doing, not by their size
    const pool = new ArrayPool({ smallest: 1 });
    withArrayPool(pool, () => {
      const world = referenceWorld(s, drawTrial(s, 0));
      const kept = [...world.env.values(), ...computationOf(s).parameters.map((p) => world.lossGradient!(p)!)];
      world.gradientScale();
      expect(kept.some((v) => v.data.length >= POOLED_LENGTH)).toBe(true);
      for (const v of kept) expect(pool.owns(v.data)).toBe(false);
    });
  });

  it('reads the tfjs sides again where the reference finds a kink, with the same results as when they are kept', () => {
    // relu with x row 0 = e0 − e1 and constant weights: net1[0, j] = 0 for every j, a kink that
    // W1[0, j] and W1[1, j] cross; 1 − step(−net) takes the other side from tfjs's relu there, so tfjs
    // finds those elements worst and the reference, looking at them, finds the kink
    const x = Array.from({ length: 8 }, (_, n) => Array.from({ length: inputs }, (_, i) => (n === 0 ? (i === 0 ? 1 : i === 1 ? -1 : 0) : Math.fround(((i * 7919 + n * 104729) % 1000) / 1000 - 0.5))));
    const claim = { lhs: 'grad(E, W1)[i,j]', rhs: 'sum(n, x[n,i] * (1 - step(-net1[n,j])) * sum(k, (o[n,k] - y[n,k]) * W2[j,k]))' };
    const pooled = runScenario(scenario(claim, true, x));
    const kept = runScenario(scenario(claim, true, x), { keepSides: true });
    expect(pooled[0].worlds.reference.kinks?.count).toBeGreaterThan(0);
    expect(pooled[0].worlds.tfjs.kinks?.count).toBeGreaterThan(0);
    expect(pooled.map(comparable)).toEqual(kept.map(comparable));
  });
});
