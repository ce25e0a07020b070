// The exact live peak of the JS side during one run (`livePeakMemoryRatio`, BENCHMARKS.md): live
// memory (V8 heap in use + external memory, after a forced full collection) read right after
// every large typed-array allocation (bench/allocationHook.ts) and at every phase checkpoint of
// a verification (src/claim/memoryCheckpoint.ts). Live memory only rises at allocations, so the
// largest reading is the live peak, up to what allocations under 64 KiB add between readings.
// The tfjs wasm heap is not in it (it is external memory to V8, subtracted: see gc.ts).
import { onMemoryCheckpoint } from '../src/claim/memoryCheckpoint';
import { hookLargeAllocations } from './allocationHook';
import { gc, jsBytesWithoutWasm as jsBytes } from './gc';

export interface LivePeak {
  /** the largest live JS memory, above what was live before the run */
  bytes: number;
  /** where it happened: the checkpoints around it, and the allocation (with a short stack) */
  site: string;
  /** live memory above the start at each checkpoint, in order (and at the end) */
  checkpoints: [string, number][];
  /** the peak of each segment (see `segmentAfter`; one segment without it), above the start */
  segments: number[];
  /** large allocations seen, by kind: `new Float64Array`, `Uint8Array.slice`, … */
  allocations: Record<string, number>;
  /** of those, how many needed a collection (the others could not be a new peak) */
  collections: number;
}

/**
 * `fn (file) ← caller (file) ← …` outside the bench, from raw V8 call sites: formatting the stack
 * through ts-node's source maps would cost time and leave its caches live (counted afterwards).
 * Function names, not lines: the lines V8 knows are those of the transpiled code.
 */
function shortStack(depth = 5): string {
  const saved = { prepare: Error.prepareStackTrace, limit: Error.stackTraceLimit };
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.prepareStackTrace = (_, sites) => sites;
    Error.stackTraceLimit = 40;
    Error.captureStackTrace(holder, shortStack);
    const sites = holder.stack ?? [];
    return sites
      .filter((s) => !/[\\/]bench[\\/]/.test(s.getFileName() ?? ''))
      .slice(0, depth)
      .map((s) => `${s.getFunctionName() ?? s.getMethodName() ?? '<anonymous>'} (${(s.getFileName() ?? '?').replace(/^.*[\\/]/, '')})`)
      .join(' ← ');
  } finally {
    Error.prepareStackTrace = saved.prepare;
    Error.stackTraceLimit = saved.limit;
  }
}

/**
 * `segmentAfter`: a checkpoint that ends a segment (e.g. 'reference sides': one claim in one
 * trial); the peak of each segment is reported too, to see whether memory grows from one to the next.
 */
export function livePeak(run: () => void, options: { segmentAfter?: string } = {}): LivePeak {
  gc();
  const before = jsBytes();
  let peak = before;
  const segments = [before];
  let phase = 'start';
  let peakAfter = phase;
  let peakBefore: string | null = null;
  let what = 'start';
  const allocations: Record<string, number> = {};
  let collections = 0;
  const checkpoints: [string, number][] = [];
  const read = (): number => {
    gc();
    const now = jsBytes();
    segments[segments.length - 1] = Math.max(segments[segments.length - 1], now);
    return now;
  };
  const remove = hookLargeAllocations((bytes, kind) => {
    allocations[kind] = (allocations[kind] ?? 0) + 1;
    // live ≤ what is held with garbage: when that is no higher than this segment's peak (≤ the
    // overall peak), neither is live memory, and the collection (~0.1 s here) can be skipped
    if (jsBytes() <= segments[segments.length - 1]) return;
    collections++;
    const now = read();
    if (now <= peak) return;
    // memory read first: the stack trace below allocates
    peak = now;
    peakAfter = phase;
    peakBefore = null;
    what = `${kind} of ${(bytes / 1e6).toFixed(2)} MB at ${shortStack()}`;
  });
  onMemoryCheckpoint((name) => {
    const now = read();
    checkpoints.push([name, now - before]);
    if (peakBefore === null && peakAfter === phase) peakBefore = name;
    if (now > peak) {
      peak = now;
      peakAfter = name;
      peakBefore = name;
      what = 'checkpoint';
    }
    phase = name;
    if (name === options.segmentAfter) segments.push(now);
  });
  try {
    run();
  } finally {
    onMemoryCheckpoint(null);
    remove();
  }
  const end = read();
  checkpoints.push(['end', end - before]);
  if (end > peak) {
    peak = end;
    what = 'end';
    peakAfter = phase;
    peakBefore = 'end';
  }
  const where = peakBefore === peakAfter ? `at '${peakAfter}'` : `after '${peakAfter}', before '${peakBefore ?? 'end'}'`;
  return { bytes: peak - before, site: `${where}: ${what}`, checkpoints, segments: segments.map((b) => b - before), allocations, collections };
}
