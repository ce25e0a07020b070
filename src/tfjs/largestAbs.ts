import type * as tf from '@tensorflow/tfjs';
import { withValues } from './readInto';

/**
 * The flat positions of the `k` largest |values| of a float32 tensor, largest first; NaN and ±∞
 * count as the largest, and of equal |values| the earlier position comes first. One pass over
 * the values where the backend keeps them (readInto.ts withValues: no copy on wasm and cpu) with
 * the k best so far in a short sorted list: no tensor is made, where tf.topk over |t| made |t| and
 * tfjs-wasm's TopK a sorted copy of every element (at 1e6 elements it grew the wasm heap by 8 MB,
 * which never shrinks), and each op a trip to the backend.
 */
export function largestAbs(t: tf.Tensor, k: number): Int32Array {
  return withValues(t, (values) => largestAbsOf(values, k));
}

/** largestAbs over an array of values. */
function largestAbsOf(values: ArrayLike<number>, k: number): Int32Array {
  const wanted = Math.max(0, Math.min(k, values.length));
  const at = new Int32Array(wanted);
  // the magnitudes of the best so far, largest first (NaN and ±∞ as +∞)
  const best = new Float64Array(wanted).fill(-1);
  let held = 0;
  // once k are held: the smallest of them, which a value must pass in magnitude (−1 before)
  let floor = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // nearly every value stops here, compared as it is (NaN compares false and goes on)
    if (v <= floor && v >= -floor) continue;
    const m = v !== v ? Infinity : Math.abs(v);
    // what the floor cannot turn away: a NaN once the floor is +∞, anything when k is 0
    if (held === wanted && !(m > best[wanted - 1])) continue;
    // where it goes: after every held one at least as large (the earlier position first on a tie)
    let slot = held < wanted ? held : wanted - 1;
    while (slot > 0 && best[slot - 1] < m) {
      best[slot] = best[slot - 1];
      at[slot] = at[slot - 1];
      slot--;
    }
    best[slot] = m;
    at[slot] = i;
    if (held < wanted) held++;
    if (held === wanted) floor = best[wanted - 1];
  }
  return at;
}
