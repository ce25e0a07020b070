import * as tf from '@tensorflow/tfjs';
import { POOLED_LENGTH, type ArrayPool } from '../foundation/arrayPool';
import { readInto } from './readInto';

// Reading a claim's sides back from the tfjs world. At scale (a pool given) lhs and rhs are read
// straight from the backend into the two halves of one float64 array of the trial's pool
// (src/reference/arrayPool.ts): as many bytes as one float64 array of the sides, and memory the
// reference's arrays take in turn once the tfjs world is done with them.

export interface SideReader {
  /** a side's numbers: float32 as tfjs holds them (never copied to float64) */
  read(tensor: tf.Tensor, side: 'lhs' | 'rhs' | 'where' | 'start'): { data: Float32Array | Float64Array; error: null };
  /** gives the pooled array back; the numbers read into it must not be read again */
  release(): void;
}

/** float32 tensors are kept as read back (the same numbers as a float64 copy, half the memory). */
function readPlain(tensor: tf.Tensor): { data: Float32Array | Float64Array; error: null } {
  const data = tensor.dataSync();
  return { data: data instanceof Float32Array ? data : Float64Array.from(data), error: null };
}

export function sideReader(pool: ArrayPool | null): SideReader {
  // lhs in the first half, rhs in the second
  let pair: Float64Array | null = null;
  return {
    read(tensor, side) {
      if (pool !== null && (side === 'lhs' || side === 'rhs') && tensor.dtype === 'float32' && tensor.size >= POOLED_LENGTH) {
        pair ??= pool.float64(tensor.size);
        if (pair.length === tensor.size) return { data: readInto(tensor, new Float32Array(pair.buffer, side === 'lhs' ? 0 : 4 * tensor.size, tensor.size)), error: null };
      }
      return readPlain(tensor);
    },
    release() {
      if (pair !== null && pool !== null) pool.give(pair);
      pair = null;
    },
  };
}
