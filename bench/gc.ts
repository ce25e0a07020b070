// Forced collections and what the JS side and the tfjs wasm heap hold, for the bench's memory
// figures. `npm run bench` starts node with --expose-gc; without it (e.g. plain ts-node), the
// collector is reached through V8's flag instead.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';

const gcOnce: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  })();

/**
 * A full collection, twice: ArrayBuffer memory of the first is released by a concurrent sweeper,
 * which the second finishes, so `external_memory` afterwards counts live buffers only.
 */
export const gc = (): void => {
  gcOnce();
  gcOnce();
};

/**
 * A full collection once the event loop has turned: the backing stores of ArrayBuffers found
 * dead are freed on a background thread, and until then `external_memory` counts them. Read right
 * after `gc()`, a baseline at 1024-960-10 still held 8 MB of the run before, which the next run
 * then saw freed (its live figure read 0.36× the model instead of 1.0×).
 */
export async function settledGc(): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
}

/**
 * V8 heap in use + external memory (every ArrayBuffer, so every typed array's storage, and the
 * tfjs wasm heap too: its memory is an ArrayBuffer).
 */
export const jsBytes = (): number => {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
};

/** Bytes of the tfjs wasm heap (0 on other backends): it grows and never shrinks. */
export function wasmHeapBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

/**
 * The JS side alone: jsBytes without the wasm heap, which grows in steps and never shrinks, so
 * whether a run counts its growth would depend on what ran before (it is reported on its own).
 */
export const jsBytesWithoutWasm = (): number => jsBytes() - wasmHeapBytes();
