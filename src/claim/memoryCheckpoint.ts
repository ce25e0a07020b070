// Phase boundaries of a verification, for the live-memory figure of `npm run bench`
// (BENCHMARKS.md, `jsLivePeakMemoryRatio`): the bench forces a collection at each and reads what
// is still live. A no-op unless a listener is set; nothing in derivcheck itself sets one.

let listener: ((phase: string) => void) | null = null;

/** Sets (or, with null, clears) the function called at every checkpoint. */
export function onMemoryCheckpoint(f: ((phase: string) => void) | null): void {
  listener = f;
}

/** Marks a phase boundary (cheap when no listener is set). */
export function memoryCheckpoint(phase: string): void {
  if (listener !== null) listener(phase);
}
