import { activePool, ArrayPool, float64Array, POOLED_LENGTH, RECLAIMED_LENGTH, withArrayPool } from '../../src/foundation/arrayPool';

describe('ArrayPool', () => {
  it('hands a given-back array out again, zero-filled', () => {
    const pool = new ArrayPool();
    const a = pool.float64(POOLED_LENGTH);
    a.fill(7);
    pool.give(a);
    expect(pool.idle).toBe(1);
    const b = pool.float64(POOLED_LENGTH);
    expect(b.buffer).toBe(a.buffer);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(pool.idle).toBe(0);
  });

  it('serves a float64 array from the buffer of two float32 halves', () => {
    const pool = new ArrayPool();
    const pair = pool.float64(1000);
    const lhs = new Float32Array(pair.buffer, 0, 1000);
    const rhs = new Float32Array(pair.buffer, 4000, 1000);
    lhs.fill(1);
    rhs.fill(2);
    pool.give(pair);
    expect(pool.float64(1000).buffer).toBe(pair.buffer);
  });

  it('takes only a buffer of the exact size', () => {
    const pool = new ArrayPool();
    pool.give(pool.float64(100));
    expect(pool.float64(99).buffer.byteLength).toBe(99 * 8);
    expect(pool.idle).toBe(1);
  });

  it('refuses what it did not issue whole, and a second give', () => {
    const pool = new ArrayPool();
    expect(() => pool.give(new Float64Array(10))).toThrow(/did not issue/);
    const a = pool.float64(10);
    expect(() => pool.give(a.subarray(1))).toThrow(/did not issue/);
    expect(pool.owns(a)).toBe(true);
    expect(pool.owns(a.subarray(0, 5))).toBe(false);
    pool.give(a);
    expect(() => pool.give(a)).toThrow(/twice/);
  });
});

describe('float64Array', () => {
  it('pools large arrays only while a pool is active', () => {
    const pool = new ArrayPool();
    expect(pool.owns(float64Array(POOLED_LENGTH))).toBe(false);
    withArrayPool(pool, () => {
      expect(activePool()).toBe(pool);
      expect(pool.owns(float64Array(POOLED_LENGTH))).toBe(true);
      expect(pool.owns(float64Array(POOLED_LENGTH - 1))).toBe(false);
    });
    expect(activePool()).toBeNull();
  });

  it("serves from each pool's own shortest length: a reclaimable pool's, a chosen one, and none under a null pool", () => {
    const reclaimable = new ArrayPool({ reclaimable: true });
    const chosen = new ArrayPool({ smallest: 2048 });
    expect(RECLAIMED_LENGTH).toBeLessThan(POOLED_LENGTH);
    withArrayPool(reclaimable, () => {
      expect(reclaimable.owns(float64Array(RECLAIMED_LENGTH))).toBe(true);
      expect(reclaimable.owns(float64Array(RECLAIMED_LENGTH - 1))).toBe(false);
    });
    withArrayPool(chosen, () => {
      expect(chosen.owns(float64Array(2048))).toBe(true);
      expect(chosen.owns(float64Array(2047))).toBe(false);
      withArrayPool(null, () => {
        expect(activePool()).toBeNull();
        expect(chosen.owns(float64Array(POOLED_LENGTH))).toBe(false);
      });
      expect(activePool()).toBe(chosen);
    });
  });

  it('restores the pool before it, also when the run throws', () => {
    const outer = new ArrayPool();
    withArrayPool(outer, () => {
      expect(() => withArrayPool(new ArrayPool(), () => {
        throw new Error('inner');
      })).toThrow('inner');
      expect(activePool()).toBe(outer);
    });
    expect(activePool()).toBeNull();
  });
});
