/**
 * A small seeded generator (mulberry32) so that every trial's numbers are reproducible and
 * identical in both worlds; tfjs's own random ops treat seed 0 as "no seed".
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Box–Muller; one draw per call keeps the stream easy to reason about. */
  normal(mean: number, std: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * `out` filled with normal(mean, std) draws rounded to float32, one per element in order: the
   * same numbers and the same state after as that many calls of `normal`, in a loop that keeps
   * the state in a local (a trial's weights are hundreds of thousands of draws).
   */
  fillNormal(out: Float32Array, mean: number, std: number): void {
    let state = this.state;
    for (let i = 0; i < out.length; i++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const u = 1 - ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      state = (state + 0x6d2b79f5) >>> 0;
      t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const v = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      out[i] = mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    this.state = state;
  }

  integer(below: number): number {
    return Math.floor(this.next() * below);
  }
}

/** The seed of one trial: the scenario's seed plus the trial number. */
export function trialSeed(seed: number, trial: number): number {
  return (seed + trial) >>> 0;
}
