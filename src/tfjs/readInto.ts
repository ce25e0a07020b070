import * as tf from '@tensorflow/tfjs';

// Reads a float32 tensor (or a range of its flat elements) into a caller-owned buffer without the
// fresh array that dataSync makes.
//
// Relies on tfjs 4.22 internals (checked in node_modules/@tensorflow/*/dist/*.node.js, the files node loads):
// - wasm (tfjs-backend-wasm BackendWasm): `dataIdMap` is a tfjs-core DataStorage keyed by dataId whose
//   entries are { id, memoryOffset, shape, dtype, refCount }, written by `move` (memoryOffset = wasm._malloc
//   of sizeFromShape(shape) * bytesPerElement bytes) and by `makeOutput`; `readSync` copies exactly that
//   range with `wasm.HEAPU8.slice(memoryOffset, memoryOffset + size * 4)`. We take a Float32Array view on
//   `wasm.HEAPU8.buffer` over the same range and copy it into `target` at once.
// - cpu (tfjs-backend-cpu MathBackendCPU): `data` is a DataStorage whose entries are { values, dtype,
//   refCount }; `readSync` returns `values` itself when it is already a Float32Array. We copy `values`.
// Both ask DataStorage.has before DataStorage.get: get alone would move the tensor's data to the current
// backend when another backend owns it (Engine.moveData). Each fast path checks that the fields exist with
// the expected types, that the stored dtype is float32 and that the stored size equals t.size; anything
// else (a tensor owned by another backend, a view with an offset, another backend, a changed internal
// layout) falls back to dataSync. No view into backend memory outlives the call.

/** The part of a tfjs-core DataStorage used here. */
interface DataStorageLike {
  has(dataId: object): boolean;
  get(dataId: object): unknown;
}

/** The fields of a wasm backend read here: the module's heap and the dataId → tensor data map. */
interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: DataStorageLike;
}

/** A wasm backend's record for one dataId. */
interface WasmTensorData {
  memoryOffset: number;
  shape: number[];
  dtype: 'float32';
}

/** The field of a cpu backend read here. */
interface CpuBackendLike {
  data: DataStorageLike;
}

/** A cpu backend's record for one dataId. */
interface CpuTensorData {
  values: Float32Array;
  dtype: 'float32';
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function isDataStorage(x: unknown): x is DataStorageLike {
  return isObject(x) && typeof x.has === 'function' && typeof x.get === 'function';
}

function isWasmBackend(x: unknown): x is WasmBackendLike {
  return isObject(x) && isObject(x.wasm) && x.wasm.HEAPU8 instanceof Uint8Array && isDataStorage(x.dataIdMap);
}

function isWasmTensorData(x: unknown): x is WasmTensorData {
  return (
    isObject(x) &&
    x.dtype === 'float32' &&
    typeof x.memoryOffset === 'number' &&
    Array.isArray(x.shape) &&
    (x.shape as unknown[]).every((d) => typeof d === 'number')
  );
}

function isCpuBackend(x: unknown): x is CpuBackendLike {
  return isObject(x) && isDataStorage(x.data);
}

function isCpuTensorData(x: unknown): x is CpuTensorData {
  return isObject(x) && x.dtype === 'float32' && x.values instanceof Float32Array;
}

/** The wasm path: a view of the tensor's elements in the module's heap; null when any check fails. */
function wasmView(backend: unknown, t: tf.Tensor): Float32Array | null {
  if (!isWasmBackend(backend) || !backend.dataIdMap.has(t.dataId)) return null;
  const data = backend.dataIdMap.get(t.dataId);
  if (!isWasmTensorData(data) || tf.util.sizeFromShape(data.shape) !== t.size) return null;
  const heap = backend.wasm.HEAPU8; // read now: a memory growth replaces HEAPU8
  const offset = data.memoryOffset;
  const byteLength = t.size * Float32Array.BYTES_PER_ELEMENT;
  if (!Number.isInteger(offset) || offset < 0 || offset % Float32Array.BYTES_PER_ELEMENT !== 0) return null;
  if (heap.byteOffset + offset + byteLength > heap.buffer.byteLength) return null;
  return new Float32Array(heap.buffer, heap.byteOffset + offset, t.size);
}

/** The cpu path: the backend's own array of the tensor's values; null when any check fails. */
function cpuView(backend: unknown, t: tf.Tensor): Float32Array | null {
  if (!isCpuBackend(backend) || !backend.data.has(t.dataId)) return null;
  const data = backend.data.get(t.dataId);
  if (!isCpuTensorData(data) || data.values.length !== t.size) return null;
  return data.values;
}

/** The backend's own storage of a live float32 tensor, where it is read in place (see the file's head); else null. */
function storageOf(t: tf.Tensor): Float32Array | null {
  if (t.isDisposed || t.dtype !== 'float32') return null;
  const name = tf.getBackend();
  if (name === 'wasm') return wasmView(tf.backend(), t);
  if (name === 'cpu') return cpuView(tf.backend(), t);
  return null;
}

/**
 * Whether the current backend's own storage is read (wasm, cpu), a range at a time without a copy
 * of the whole tensor; elsewhere (tfjs-node, webgl) a read goes through dataSync.
 */
export const readsInPlace = (): boolean => tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';

/** Copies a float32 tensor's values into `target` (length t.size) and returns target. */
export function readInto(t: tf.Tensor, target: Float32Array): Float32Array {
  if (target.length !== t.size) {
    throw new Error(`readInto: target has length ${target.length} but the tensor has ${t.size} elements (shape [${t.shape}])`);
  }
  return readRangeInto(t, 0, target);
}

/**
 * Copies a float32 tensor's flat elements [from, from + target.length) into `target` and returns
 * target (a block of a claim's sides, src/claim/rowBlocks.ts).
 */
export function readRangeInto(t: tf.Tensor, from: number, target: Float32Array): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`readInto: the tensor is ${t.dtype}; only float32 tensors can be read`);
  if (!Number.isInteger(from) || from < 0 || from + target.length > t.size) {
    throw new Error(`readInto: elements [${from}, ${from + target.length}) are not all in the tensor's ${t.size} (shape [${t.shape}])`);
  }
  const storage = storageOf(t);
  // dataSync throws "Tensor is disposed." for a disposed tensor
  target.set((storage ?? (t.dataSync() as Float32Array)).subarray(from, from + target.length));
  return target;
}

/**
 * `read` given a float32 tensor's values: the backend's own storage where it is read in place (no
 * copy; `read` must not keep it, nor run tfjs ops, which may move or free it), else dataSync's copy.
 */
export function withValues<R>(t: tf.Tensor, read: (values: Float32Array) => R): R {
  if (t.dtype !== 'float32') throw new Error(`readInto: the tensor is ${t.dtype}; only float32 tensors can be read`);
  return read(storageOf(t) ?? (t.dataSync() as Float32Array));
}
