import { ArrayPool, withArrayPool } from '../../src/foundation/arrayPool';
import { checkClaim } from '../../src/formula/check';
import type { StepCache } from '../../src/formula/contractTerm';
import { expandTo, FormulaEvaluator } from '../../src/formula/evaluate';
import type { Value64 } from '../../src/reference/algebra64';
import { printFormula } from '../../src/formula/printer';
import { blockChecked, blockEnv, blockInvariantFactors, blockReadsOf, sliceAlong } from '../../src/reference/indexBlock64';
import { blockRows, blocksOfRows, referenceWorld, ROW_BLOCK } from '../../src/reference/world64';
import { symbolTableOf } from '../../src/scenario/computationOf';
import { Scenario } from '../../src/scenario/schema';
import { drawTrial } from '../../src/scenario/trialValues';
import { gamma, roundingBoundOf } from '../support/roundingBound';

// A formula evaluated on a block of one free index (src/reference/indexBlock64.ts): which reads
// allow it, and that a block is the whole formula's slice (within the rounding bound of
// two orders of one sum: a block's sums may be planned in another order); ∂E/∂W1 by blocks of rows
// (world64.ts lossGradientRows) is the whole ∂E/∂W1, values and error bound, bit for bit.

const network = (activation: 'linear' | 'tanh') =>
  Scenario.parse({
    title: 'blocks of i',
    seed: 4,
    model: {
      inputs: 300,
      layers: [
        { units: 160, activation, bias: false, init: { normal: [0, 0.05] } },
        { units: 10, activation: 'linear', bias: false, init: { normal: [0, 0.05] } },
      ],
      loss: { type: 'softmax-cross-entropy', reduction: 'mean' },
    },
    data: { batch: 8, labels: { random: true } },
    optimizer: { type: 'sgd', learningRate: 0.1 },
    claims: [],
  });

const table = symbolTableOf(network('tanh'));
const checked = (rhs: string) => {
  const c = checkClaim({ lhs: 'grad(E, W1)[i,j]', rhs }, table);
  if (!c.ok) throw new Error(`${rhs}: ${JSON.stringify(c.error)}`);
  return c.claim;
};
const readsOf = (rhs: string) => {
  const c = checked(rhs);
  return blockReadsOf([c.rhs], c, 'i');
};

const delta = 'sum(k, (o[n,k] - y[n,k]) * W2[j,k])';

describe('a formula on a block of one free index', () => {
  it('reads each tensor at the axis where it reads i', () => {
    expect(readsOf(`mean(n, x[n,i] * (1 - a1[n,j]^2) * ${delta})`)).toEqual(new Map([['x', 1]]));
    expect(readsOf('W1[i,j] * a1[0,j] + x[3,i]')).toEqual(new Map([['W1', 0], ['x', 1]]));
    expect(readsOf(`sum(n, x[n,i] * sum(k, grad(E, net2)[n,k] * W2[j,k]))`)).toEqual(new Map([['x', 1]]));
  });

  it.each([
    ['i as a number', 'W1[i,j] * ind(i == 2)'],
    ['i in a delta', 'W1[i,j] + delta(i, j)'],
    ['i in an affine read', 'x[0, 299 - i] + W1[i,j]'],
    ['a padded read', 'pad(x, 0, 1)[1, i + 1] + W1[i,j]'],
    ['a derivative indexed at i', 'W1[i,j] + grad(E, W1)[i,j]'],
    ['a derivative of another function than E', 'W1[i,j] * sum(m, grad(o[0,0], x)[0,m])'],
    ['next', 'next(W1)[i,j]'],
    ['a tensor read at i and at a fixed row', 'W1[i,j] + W1[0,j]'],
    ['a tensor read at i and whole', `mean(n, x[n,i] * ${delta}) + 0 * sum(n, sum(m, grad(E, x)[n,m]))`],
  ])('is not taken for %s', (_what, rhs) => {
    expect(readsOf(rhs)).toBeNull();
  });

  it('is not taken for a tensor read at i on two axes, or a derivative of another scalar than E', () => {
    const square = Scenario.parse({ title: 'q', seed: 1, computation: { sizes: { B: 6 }, tensors: { q: { shape: ['B', 'B'] } }, define: ['s[m] = q[m,m]', 'L1 = sum(m, s[m])'], loss: 'sum(m, s[m]^2)' } });
    const claim = (rhs: string) => {
      const c = checkClaim({ lhs: 'q[i,j]', rhs }, symbolTableOf(square));
      if (!c.ok) throw new Error(JSON.stringify(c.error));
      return blockReadsOf([c.claim.rhs], c.claim, 'i');
    };
    expect(claim('q[i,j] + q[0,i]')).toBeNull();
    expect(claim('q[i,j] + q[i,0]')).toEqual(new Map([['q', 0]]));
    // ∂L1/∂s is not the world's own ∂E/∂s: it would be differentiated again for every block
    expect(claim('q[i,j] + grad(L1, s)[j]')).toBeNull();
    expect(claim('q[i,j] + grad(E, s)[j]')).toEqual(new Map([['q', 0]]));
  });

  it('gives the whole formula’s slice for every block, within its rounding bound', () => {
    const scenario = network('tanh');
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    const c = checked(`mean(n, x[n,i] * (1 - a1[n,j]^2) * ${delta})`);
    const reads = blockReadsOf([c.rhs], c, 'i')!;
    const evaluate = (claim: typeof c, w: typeof world) => expandTo(w.algebra, new FormulaEvaluator(claim, w).evaluate(claim.rhs), ['i', 'j'], [300, 160]);
    const whole = evaluate(c, world);
    // two orders of one sum of products differ by at most 2·γ_h·Σ|term| (spec/support/roundingBound.ts)
    const { absText, roundings } = roundingBoundOf(c, c.rhs);
    const magnitude = evaluate(checked(absText), world);
    const allowed = 2 * gamma(roundings, Number.EPSILON / 2);
    for (const [from, to] of [[0, 300], [0, 1], [7, 120], [250, 300]]) {
      const scope = blockEnv(world.env, reads, 300, from, to)!;
      const block = expandTo(world.algebra, new FormulaEvaluator(blockChecked(c, 'i', to - from), { ...world, env: scope }).evaluate(c.rhs), ['i', 'j'], [to - from, 160]);
      expect(block.shape).toEqual([to - from, 160]);
      for (let k = 0; k < block.data.length; k++) {
        const w = from * 160 + k;
        expect(Math.abs(block.data[k] - whole.data[w])).toBeLessThanOrEqual(allowed * magnitude.data[w]);
      }
      if (to - from === 300) expect(block.data).toEqual(whole.data);
    }
  });

  it('computes once the factors of its sums that do not read i', () => {
    const invariant = (rhs: string) => {
      const c = checked(rhs);
      return blockInvariantFactors(c.rhs, c, 'i').map(printFormula);
    };
    // (1 − a1²) and o − y are computed once; x[n,i] reads i, W2[j,k] is a plain read
    expect(invariant(`mean(n, x[n,i] * (1 - a1[n,j]^2) * ${delta})`).sort()).toEqual(['1 - a1[n,j]^2', 'o[n,k] - y[n,k]'].sort());
    // a factor that reads i, or an index's value, or a derivative, is evaluated for each block
    expect(invariant('sum(n, x[n,i] * tanh(x[n,i]) * a1[n,j])')).toEqual([]);
    expect(invariant('sum(n, x[n,i] * (a1[n,j] * ind(n == 0)))')).toEqual([]);
    expect(invariant('sum(n, x[n,i] * sum(k, grad(E, net2)[n,k] * W2[j,k]))')).toEqual([]);
    // a padded or gathered read takes the ranges of its indices from the sum it sits in
    expect(invariant('sum(n, x[n,i] * (1 - pad(a1, 0, 1)[n, j + 1]^2))')).toEqual([]);
    expect(invariant('sum(n, x[n,i] * (1 - a1[7 - n, j]^2))')).toEqual([]);
  });

  it('takes the factors and steps that read no row from the first block, with the numbers each block computes itself', () => {
    const scenario = network('tanh');
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    for (const rhs of [`mean(n, x[n,i] * (1 - a1[n,j]^2) * ${delta})`, 'sum(n, x[n,i] * (1 - a1[n,j]^2) * sum(k, grad(E, net2)[n,k] * W2[j,k]))', 'mean(n, a1[n,j] * o[n,0]) + 0 * W1[i,j]']) {
      const c = checked(rhs);
      const reads = blockReadsOf([c.rhs], c, 'i')!;
      const whole = new FormulaEvaluator(c, world);
      const known = new Map(blockInvariantFactors(c.rhs, c, 'i').map((f) => [f, whole.evaluate(f)]));
      let kept = 0;
      const steps: StepCache<Value64> = { varying: new Set(['i']), results: new WeakMap(), keep: (v) => (kept++, { shape: v.shape, data: v.data.slice(), ...(v.error ? { error: v.error.slice() } : {}) }) };
      const keptAfter: number[] = [];
      for (const [from, to] of [[0, 64], [64, 128], [128, 192], [290, 300]]) {
        const scope = blockEnv(world.env, reads, 300, from, to)!;
        const blockOf = (reuse: ConstructorParameters<typeof FormulaEvaluator<Value64>>[3]) =>
          expandTo(world.algebra, new FormulaEvaluator(blockChecked(c, 'i', to - from), { ...world, env: scope }, {}, reuse).evaluate(c.rhs), ['i', 'j'], [to - from, 160]);
        const reused = blockOf({ known, steps });
        const own = blockOf({});
        expect(reused.data).toEqual(own.data);
        expect(reused.error ?? null).toEqual(own.error ?? null);
        keptAfter.push(kept);
      }
      // kept at the first block and at the last (another size, another plan), not in between
      expect(keptAfter[0]).toBeGreaterThan(0);
      expect(keptAfter[2]).toBe(keptAfter[0]);
    }
  });

  it('slices a tensor along any axis, its error bound with it', () => {
    const value = { shape: [2, 3, 2], data: Float64Array.from({ length: 12 }, (_, k) => k), error: Float64Array.from({ length: 12 }, (_, k) => k / 10) };
    expect(Array.from(sliceAlong(value, 1, 1, 3).data)).toEqual([2, 3, 4, 5, 8, 9, 10, 11]);
    expect(Array.from(sliceAlong(value, 1, 1, 3).error!)).toEqual([0.2, 0.3, 0.4, 0.5, 0.8, 0.9, 1, 1.1]);
    expect(sliceAlong(value, 0, 1, 2).data).toEqual(Float64Array.of(6, 7, 8, 9, 10, 11));
    expect(Array.from(sliceAlong(value, 2, 1, 2).data)).toEqual([1, 3, 5, 7, 9, 11]);
  });
});

describe('the blocks of a tensor’s rows', () => {
  it('are ROW_BLOCK elements’ worth, or all alike where a divisor of the rows no smaller than half that allows', () => {
    expect(ROW_BLOCK).toBe(32768);
    // 784 rows of 512: 64 rows a block would leave 16; 56 divides 784
    expect(blockRows(784, 512)).toBe(56);
    // 1024 rows of 960: 34 at most, 32 divides 1024
    expect(blockRows(1024, 960)).toBe(32);
    // 499 rows (prime) of 160: 204 rows, the last block shorter
    expect(blockRows(499, 160)).toBe(204);
    // 1000 rows of 300: 109 at most; the largest divisor below it, 100, is more than half
    expect(blockRows(1000, 300)).toBe(100);
    // fewer rows than a block: one block; a row larger than a block: one row each
    expect(blockRows(40, 512)).toBe(40);
    expect(blockRows(7, 100000)).toBe(1);
  });

  it('cover every row once, in order', () => {
    for (const [count, rowSize] of [[784, 512], [499, 160], [1000, 300], [40, 512], [7, 100000]]) {
      const blocks = [...blocksOfRows(count, rowSize)];
      expect(blocks[0][0]).toBe(0);
      expect(blocks[blocks.length - 1][1]).toBe(count);
      for (let b = 1; b < blocks.length; b++) expect(blocks[b][0]).toBe(blocks[b - 1][1]);
      for (const [from, to] of blocks) expect(to - from).toBeLessThanOrEqual(Math.max(1, Math.floor(ROW_BLOCK / rowSize)));
    }
  });
});

describe('∂E/∂W1 by blocks of rows', () => {
  it.each(['linear', 'tanh'] as const)('%s: every block is the whole gradient’s rows, values and error bound, bit for bit', (activation) => {
    const scenario = network(activation);
    const values = drawTrial(scenario, 0);
    const byRows = referenceWorld(scenario, values);
    const rows = byRows.lossGradientRows('W1');
    expect(rows).not.toBeNull();
    const whole = referenceWorld(scenario, values).lossGradient!('W1')!;
    withArrayPool(new ArrayPool(), () => {
      for (const [from, to] of [[0, 300], [0, 64], [64, 128], [299, 300]]) {
        const block = rows!(from, to);
        expect(Array.from(block.data)).toEqual(Array.from(whole.data.subarray(from * 160, to * 160)));
        expect(Array.from(block.error!)).toEqual(Array.from(whole.error!.subarray(from * 160, to * 160)));
        expect(Array.from(rows!(from, to, true).data)).toEqual(Array.from(block.data));
      }
    });
    // the gradient scale by blocks is the whole gradient's
    expect(byRows.gradientScale()).toBe(referenceWorld(scenario, values).gradientScale());
  });

  it('reads the held gradient’s rows once it is held', () => {
    const scenario = network('linear');
    const world = referenceWorld(scenario, drawTrial(scenario, 0));
    const whole = world.lossGradient!('W1')!;
    const block = world.lossGradientRows('W1')!(10, 20);
    expect(block.data.buffer).toBe(whole.data.buffer);
    expect(block.data).toEqual(whole.data.subarray(1600, 3200));
  });
});
