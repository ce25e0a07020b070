import { ArrayPool, POOLED_LENGTH, withArrayPool } from '../../src/foundation/arrayPool';
import { forward64, KinkWatch } from '../../src/reference/definitions64';
import { movedPass } from '../../src/reference/movedPass64';
import { rowBlocksOf } from '../../src/reference/rowSlice64';
import { referenceWorld, SLOPE_CHUNK } from '../../src/reference/world64';
import { computationOf } from '../../src/scenario/computationOf';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';

// A block of an elementwise reader's rows, computed alone with its input's rows moved by t
// (src/reference/rowSlice64.ts), against the moved pass of the whole computation along 1: the
// same numbers, bit for bit, for every block and step; and no blocks where the reader reads its
// first axis any other way.

const computation = (define: string[]) =>
  Scenario.parse({
    title: 'readers of z',
    seed: 3,
    computation: {
      sizes: { B: 6, D: 5 },
      tensors: { x: { shape: ['B', 'D'] }, m: { shape: ['B', 'D'] }, s: { shape: ['D', 'B'] }, q: { shape: ['B', 'B'] }, b: { shape: ['D'] }, t: { shape: ['B'], classes: 5 } },
      define: ['z[n,d] = 3 * x[n,d]', ...define],
      loss: 'mean(n, sum(d, a[n,d]^2))',
    },
  });

const blocksOf = (define: string) => {
  const scenario = computation([define]);
  const checked = computationOf(scenario);
  const watch = new KinkWatch();
  const env = forward64(checked, drawTrial(scenario, 0), watch);
  const reader = checked.definitions.find((d) => d.name === 'a')!;
  return { checked, watch, env, blocks: rowBlocksOf(reader, 'z', env, watch) };
};

describe('rows of an elementwise reader', () => {
  it.each([
    ['an activation', 'a[n,d] = tanh(z[n,d])'],
    ['a logistic with a bias', 'a[n,d] = 1 / (1 + exp(-(z[n,d] + b[d])))'],
    ['another tensor read by its rows', 'a[n,d] = relu(z[n,d]) * m[n,d] + b[d]'],
    ['a product of three factors', 'a[n,d] = tanh(z[n,d]) * m[n,d] * b[d] * z[n,d]'],
  ])('%s: each block is the moved pass, bit for bit', (_what, define) => {
    const { checked, watch, env, blocks } = blocksOf(define);
    expect(blocks).not.toBeNull();
    const rowLength = 5;
    const ones = { kind: 'dense' as const, data: new Float64Array(30).fill(1) };
    const pass = movedPass(checked, env, watch, 'z', ones);
    for (const [from, to] of [[0, 6], [0, 2], [2, 5], [5, 6]]) {
      const block = blocks!(from, to);
      for (const t of [0, 1e-3, -1e-3, 0.37, -2.5]) {
        const whole = pass(t).get('a')!.data.subarray(from * rowLength, to * rowLength);
        expect(Array.from(block.at(t))).toEqual(Array.from(whole));
      }
      block.release();
    }
  });

  it('a reader that is its input itself: the moved rows, and their array is not given back while in use', () => {
    // rows of POOLED_LENGTH elements, so that the block's arrays come from the pool
    const scenario = Scenario.parse({
      title: 'a copy',
      seed: 3,
      computation: { sizes: { B: 3, D: POOLED_LENGTH }, tensors: { x: { shape: ['B', 'D'] } }, define: ['z[n,d] = 3 * x[n,d]', 'a[n,d] = z[n,d]'], loss: 'mean(n, sum(d, a[n,d]^2))' },
    });
    const checked = computationOf(scenario);
    const watch = new KinkWatch();
    const env = forward64(checked, drawTrial(scenario, 0), watch);
    const blocks = rowBlocksOf(checked.definitions.find((d) => d.name === 'a')!, 'z', env, watch)!;
    const pool = new ArrayPool();
    withArrayPool(pool, () => {
      const block = blocks(1, 2);
      const first = Array.from(block.at(0.5));
      const second = block.at(-0.25);
      expect(pool.idle).toBe(0);
      const z = env.get('z')!.data.subarray(POOLED_LENGTH, 2 * POOLED_LENGTH);
      expect(first).toEqual(Array.from(z, (v) => v + 0.5));
      expect(Array.from(second)).toEqual(Array.from(z, (v) => v - 0.25));
      block.release();
      expect(pool.idle).toBeGreaterThan(0);
    });
  });

  it.each([
    ['a transposed read', 'a[n,d] = tanh(z[n,d]) * s[d,n]'],
    ['the row index as a number', 'a[n,d] = tanh(z[n,d]) * ind(n > 2)'],
    ['a diagonal', 'a[n,d] = tanh(z[n,d]) * q[n,n]'],
    ['rows read in reverse', 'a[n,d] = tanh(z[n,d]) * m[5 - n, d]'],
    ['delta of the row index', 'a[n,d] = tanh(z[n,d]) + delta(n, 0)'],
    ['a gathered read', 'a[n,d] = tanh(z[n,d]) * x[n, t[n]]'],
    ['another row of a tensor read by its rows', 'a[n,d] = tanh(z[n,d]) * m[n,d] + m[0,d]'],
    ['a padded read of a tensor read by its rows', 'a[n,d] = tanh(z[n,d]) * m[n,d] + pad(m, 1, 0)[2, d]'],
    ['a sum over another axis (its plan depends on the sizes)', 'a[n,d] = tanh(z[n,d]) * sum(e, m[n,e] * b[e])'],
    ['a maximum over another axis', 'a[n,d] = tanh(z[n,d]) - maxover(e, z[n,e])'],
  ])('%s: no blocks', (_what, define) => {
    expect(blocksOf(define).blocks).toBeNull();
  });
});

describe('a slope run by blocks of rows', () => {
  // a hidden layer of 2·SLOPE_CHUNK / 512 rows of 512: two blocks, the reader computed on each alone
  const network = (activation: 'tanh' | 'sigmoid') =>
    Scenario.parse({
      title: 'a layer wider than a chunk',
      seed: 8,
      model: { inputs: 12, layers: [{ units: 512, activation, bias: false }, { units: 4, bias: false }], loss: { type: 'softmax-cross-entropy' } },
      data: { batch: (2 * SLOPE_CHUNK) / 512 + 3, labels: { random: true } },
    });

  it.each(['tanh', 'sigmoid'] as const)('%s: ∂E/∂net1 through a1 agrees with the element-by-element derivative', (activation) => {
    const scenario = network(activation);
    const values = drawTrial(scenario, 0);
    // the run goes by blocks of rows here
    const checked = computationOf(scenario);
    const watch = new KinkWatch();
    expect(rowBlocksOf(checked.definitions.find((d) => d.name === 'a1')!, 'net1', forward64(checked, values, watch), watch)).not.toBeNull();
    const world = referenceWorld(scenario, values);
    expect(world.lossGradientInFull('W1')).toBe(true);
    const full = world.lossGradient!('net1')!;
    for (const element of [0, 511, SLOPE_CHUNK - 1, SLOPE_CHUNK + 7, full.data.length - 1]) {
      const own = world.elementDerivative('net1', 'loss', element);
      expect(Math.abs(full.data[element] - own.value)).toBeLessThanOrEqual(full.error![element] + own.error + 1e-15);
    }
  });

  it('runs on whole rows, never fewer elements than the pool takes (its arrays are handed on, not left to the collector)', () => {
    // rows of 960: ceil(SLOPE_CHUNK / 960) rows a run (one row fewer would be below what the run's pool serves)
    const wide = Scenario.parse({
      title: 'rows that do not divide a chunk',
      seed: 8,
      model: { inputs: 6, layers: [{ units: 960, activation: 'tanh', bias: false }, { units: 3, bias: false }], loss: { type: 'softmax-cross-entropy' } },
      data: { batch: 40, labels: { random: true } },
    });
    const lengths = new Set<number>();
    const issue = jest.spyOn(ArrayPool.prototype, 'buffer');
    try {
      referenceWorld(wide, drawTrial(wide, 0)).lossGradient!('net1');
      for (const [bytes] of issue.mock.calls) lengths.add(bytes / 8);
    } finally {
      issue.mockRestore();
    }
    // the runs' arrays: whole rows of 960, at least SLOPE_CHUNK of them (one row fewer would make its arrays outside the pool)
    const rows = Math.ceil(SLOPE_CHUNK / 960);
    expect((rows - 1) * 960).toBeLessThan(SLOPE_CHUNK);
    expect(lengths).toContain(rows * 960);
  });
});
