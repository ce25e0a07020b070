// Large arrays of one trial, given back when their holder is done with them and taken again by
// the next, to keep peak memory down. V8 frees an array's memory only when a collection finds it
// dead, and a verification is over before one runs; a trial at scale makes a few arrays of the
// network's size one after another (the tfjs sides read back, the reference rhs, a direction),
// so without reuse each of them stays resident next to the others.
//
// What may be given: only an array nobody reads any more. What is taken comes zero-filled, as
// `new Float64Array` would. While no pool is active (`withArrayPool`), nothing is pooled.
// Who takes: the formula algebra (algebra64: the evaluator's temporaries and results, which the
// evaluator keeps nowhere), the tfjs sides read back, the sampled check's directions, a
// finite-difference run (Ridders' tableau, the copies of f's values, the moved pass's tensors).
// Who gives: the sampled check (its rhs, its directions), the judging of a claim (the tfjs sides,
// then the reference sides), a moved pass whose caller is done with one step (the definitions it
// computed for it) or with the pass (its tensors), a finite-difference run once its estimate is
// read (derivative64, ridders, and the slope run that copies a chunk's estimates). A slope run
// and the gradient agreement check each run under a pool of their own, which goes with them: what
// they hand on among themselves is not kept for the rest of the trial. The world's own arrays
// (forward pass, ∂E/∂P, caches) are never taken from the trial's pool: ∂E/∂P is made under a
// pool of its own (world64.ts), so `owns` tells a claim's temporaries from what the world keeps
// (spec/claim/trialPool.spec.ts, spec/reference/fullGradient.spec.ts hold that).

/** Arrays shorter than this are made as usual (a trial's pool: reuse matters at a layer's size, 128 KB and up). */
export const POOLED_LENGTH = 1 << 14;
/**
 * A reclaimable pool serves arrays from this length on (4 KB): every array it issues comes back
 * with `reclaim`, so a block's small arrays are the next block's too.
 */
export const RECLAIMED_LENGTH = 1 << 9;

export class ArrayPool {
  /** buffers given back and not taken again, by byte length (taken last in, first out) */
  private free = new Map<number, ArrayBuffer[]>();
  private idleBuffers = new Set<ArrayBuffer>();
  private issued = new WeakSet<ArrayBuffer>();
  /** every buffer issued, for `reclaim` (a pool made `reclaimable` only) */
  private readonly everything: ArrayBuffer[] | null;
  /** `float64Array` takes arrays of at least this length from the pool while it is active */
  readonly smallest: number;

  /**
   * `reclaimable`: the pool keeps every buffer it issues, and `reclaim` takes them all back at
   * once. For work done a block at a time whose arrays are all dead once a block is judged
   * (src/claim/rowBlocks.ts): each block takes the one before's.
   * `smallest`: the shortest array it serves (default RECLAIMED_LENGTH for a reclaimable pool,
   * else POOLED_LENGTH); a pool whose holder gives back every array of a size it makes over and
   * over (a slope run's chunks) may serve shorter ones.
   */
  constructor(options: { reclaimable?: boolean; smallest?: number } = {}) {
    this.everything = options.reclaimable ? [] : null;
    this.smallest = options.smallest ?? (options.reclaimable ? RECLAIMED_LENGTH : POOLED_LENGTH);
  }

  /** A zero-filled buffer of exactly `bytes`: one given back, else a new one. */
  buffer(bytes: number): ArrayBuffer {
    const reused = this.free.get(bytes)?.pop();
    if (reused === undefined) {
      const fresh = new ArrayBuffer(bytes);
      this.issued.add(fresh);
      this.everything?.push(fresh);
      return fresh;
    }
    this.idleBuffers.delete(reused);
    new Uint8Array(reused).fill(0);
    return reused;
  }

  /** A zero-filled Float64Array of `length`. */
  float64(length: number): Float64Array {
    return new Float64Array(this.buffer(8 * length));
  }

  /** Whether `array`'s memory came from this pool (and so belongs to whoever took it). */
  owns(array: ArrayBufferView): boolean {
    return this.issued.has(array.buffer as ArrayBuffer) && array.byteOffset === 0 && array.byteLength === array.buffer.byteLength;
  }

  /** Gives the memory of `array` (one this pool issued, whole) back; the giver must not read it again. */
  give(array: ArrayBufferView): void {
    const buffer = array.buffer as ArrayBuffer;
    if (!this.owns(array)) throw new Error('arrayPool: giving back an array the pool did not issue whole');
    if (this.idleBuffers.has(buffer)) throw new Error('arrayPool: an array given back twice');
    this.makeIdle(buffer);
  }

  private makeIdle(buffer: ArrayBuffer): void {
    this.idleBuffers.add(buffer);
    const same = this.free.get(buffer.byteLength);
    if (same) same.push(buffer);
    else this.free.set(buffer.byteLength, [buffer]);
  }

  /**
   * Takes back every buffer a `reclaimable` pool has issued: whoever took them must not read them
   * again (nothing may hold them past this call).
   */
  reclaim(): void {
    if (this.everything === null) throw new Error('arrayPool: reclaim on a pool that is not reclaimable');
    this.free = new Map();
    this.idleBuffers = new Set();
    for (const buffer of this.everything) this.makeIdle(buffer);
  }

  /** Buffers given back and not taken again (for the specs). */
  get idle(): number {
    return this.idleBuffers.size;
  }
}

let active: ArrayPool | null = null;

/** Runs `f` with `pool` serving every large array the reference's algebra makes (null: none, every array new). */
export function withArrayPool<T>(pool: ArrayPool | null, f: () => T): T {
  const before = active;
  active = pool;
  try {
    return f();
  } finally {
    active = before;
  }
}

/** The pool of the running trial, if any. */
export const activePool = (): ArrayPool | null => active;

/**
 * Gives back to the active pool (if any) each of `arrays` that it issued whole, once each (one
 * array may be listed twice); the others are left to the collector. The caller must not read
 * them again.
 */
export function giveBack(...arrays: (ArrayBufferView | null | undefined)[]): void {
  if (active === null) return;
  const given = new Set<ArrayBufferLike>();
  for (const array of arrays) {
    if (!array || given.has(array.buffer) || !active.owns(array)) continue;
    given.add(array.buffer);
    active.give(array);
  }
}

/** A zero-filled Float64Array of `length`: from the active pool when long enough for it, else new. */
export function float64Array(length: number): Float64Array {
  return active !== null && length >= active.smallest ? active.float64(length) : new Float64Array(length);
}
