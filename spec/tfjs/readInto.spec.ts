import * as tf from '@tensorflow/tfjs';
// registers the wasm backend also when the environment asks for cpu, for the cross-backend case
import '@tensorflow/tfjs-backend-wasm';
import { readInto, readRangeInto } from '../../src/tfjs/readInto';
import { useSpecBackend } from '../support/backend';

// readInto copies a float32 tensor into a caller's buffer: the same values as dataSync, straight from
// the backend's storage on wasm and cpu, through dataSync elsewhere.

useSpecBackend();

/** readInto into a NaN-filled buffer, compared bit for bit with dataSync; -1 when all agree. */
function firstMismatch(t: tf.Tensor): { size: number; returnsTarget: boolean; firstMismatch: number } {
  const target = new Float32Array(t.size).fill(Number.NaN);
  const returned = readInto(t, target);
  const got = new Uint32Array(target.buffer);
  const want = new Uint32Array(Float32Array.from(t.dataSync()).buffer);
  let index = got.length === want.length ? -1 : Math.min(got.length, want.length);
  for (let i = 0; index === -1 && i < got.length; i++) if (got[i] !== want[i]) index = i;
  return { size: t.size, returnsTarget: returned === target, firstMismatch: index };
}

/** Runs read with a spy on t.dataSync and says how often dataSync was called. */
function dataSyncCalls(t: tf.Tensor, read: () => void): number {
  const spy = jest.spyOn(t, 'dataSync');
  try {
    read();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

/** Runs read with a spy on the current backend's readSync and says how often it was called. */
function backendReadSyncCalls(read: () => void): number {
  const spy = jest.spyOn(tf.backend(), 'readSync');
  try {
    read();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

const fastPathBackends = ['wasm', 'cpu'];

describe('readInto', () => {
  let tensors: tf.Tensor[] = [];
  /** Keeps t for disposal after the test. */
  function track<T extends tf.Tensor>(t: T): T {
    tensors.push(t);
    return t;
  }
  afterEach(() => {
    tf.dispose(tensors);
    tensors = [];
  });

  it('runs on the backend the environment selects', () => {
    const asked = process.env.DERIVCHECK_BACKEND;
    if (asked === 'wasm' || asked === 'cpu') expect(tf.getBackend()).toBe(asked);
    else expect(['tensorflow', 'wasm', 'cpu']).toContain(tf.getBackend());
  });

  it('equals dataSync for a large tensor (1.2e6 elements)', () => {
    const t = track(tf.randomUniform([1000, 1200], -3, 3, 'float32', 7));
    expect(firstMismatch(t)).toEqual({ size: 1_200_000, returnsTarget: true, firstMismatch: -1 });
  });

  it('equals dataSync for a 1e5-element vector', () => {
    const t = track(tf.randomNormal([100_000], 0, 1, 'float32', 3));
    expect(firstMismatch(t)).toEqual({ size: 100_000, returnsTarget: true, firstMismatch: -1 });
  });

  describe('on tensors produced by ops', () => {
    const a = () => track(tf.randomUniform([64, 48], -1, 1, 'float32', 1));
    const b = () => track(tf.randomUniform([48, 30], -1, 1, 'float32', 2));

    it.each<[string, (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor]>([
      ['matMul', (x, y) => tf.matMul(x, y)],
      ['matMul, reshape', (x, y) => tf.reshape(tf.matMul(x, y), [32, 2, 30])],
      ['matMul, transpose', (x, y) => tf.transpose(tf.matMul(x, y))],
      ['transpose, matMul, transpose, reshape', (x, y) => tf.reshape(tf.transpose(tf.matMul(tf.transpose(y), tf.transpose(x))), [-1])],
      ['slice of rows (contiguous)', (x) => tf.slice(x, [10, 0], [20, 48])],
      ['slice of a block (strided)', (x) => tf.slice(x, [3, 5], [17, 11])],
      ['slice of a 3d reshape', (x) => tf.slice(tf.reshape(x, [8, 8, 48]), [1, 2, 3], [4, 5, 6])],
      ['tanh of a matMul', (x, y) => tf.tanh(tf.matMul(x, y))],
    ])('%s', (_name, op) => {
      const x = a() as tf.Tensor2D;
      const y = b() as tf.Tensor2D;
      const t = track(tf.tidy(() => op(x, y)));
      expect(firstMismatch(t)).toEqual({ size: t.size, returnsTarget: true, firstMismatch: -1 });
    });

    it('a reshape that shares its data with a disposed original', () => {
      const x = tf.randomUniform([6, 10], -1, 1, 'float32', 4);
      const r = track(tf.reshape(x, [3, 20]));
      x.dispose();
      expect(firstMismatch(r)).toEqual({ size: 60, returnsTarget: true, firstMismatch: -1 });
    });

    it('a tensor made from a Float32Array', () => {
      const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1e3);
      const t = track(tf.tensor2d(values, [25, 40]));
      expect(firstMismatch(t)).toEqual({ size: 1000, returnsTarget: true, firstMismatch: -1 });
    });
  });

  it('equals dataSync for a scalar', () => {
    const t = track(tf.scalar(-2.5));
    const target = new Float32Array(1);
    expect({ values: Array.from(readInto(t, target)), check: firstMismatch(t) }).toEqual({
      values: [-2.5],
      check: { size: 1, returnsTarget: true, firstMismatch: -1 },
    });
  });

  it('equals dataSync for an empty tensor', () => {
    const t = track(tf.zeros([0, 3]));
    expect(firstMismatch(t)).toEqual({ size: 0, returnsTarget: true, firstMismatch: -1 });
  });

  it.each([
    ['shorter', 11],
    ['longer', 13],
    ['zero-length', 0],
  ])('throws for a %s target, and leaves it alone', (_name, length) => {
    const t = track(tf.ones([3, 4]));
    const target = new Float32Array(length).fill(7);
    expect(() => readInto(t, target)).toThrow(
      new Error(`readInto: target has length ${length} but the tensor has 12 elements (shape [3,4])`),
    );
    expect(Array.from(target)).toEqual(new Array<number>(length).fill(7));
  });

  it.each([
    ['int32', () => tf.tensor1d([1, 2, 3], 'int32')],
    ['bool', () => tf.tensor1d([1, 0, 1], 'bool')],
  ])('throws for a tensor of dtype %s', (dtype, make) => {
    const t = track(make());
    expect(() => readInto(t, new Float32Array(3))).toThrow(
      new Error(`readInto: the tensor is ${dtype}; only float32 tensors can be read`),
    );
  });

  it('throws for a disposed tensor', () => {
    const t = tf.ones([2, 2]);
    t.dispose();
    expect(() => readInto(t, new Float32Array(4))).toThrow('Tensor is disposed.');
  });

  it('makes no tensors, and leaves no tie between target and tensor', () => {
    const t = track(tf.randomUniform([300, 400], 0, 1, 'float32', 5));
    const before = tf.memory().numTensors;
    const target = readInto(t, new Float32Array(t.size));
    const first = t.dataSync()[0];
    target.fill(-1);
    expect({ numTensors: tf.memory().numTensors, first: t.dataSync()[0] }).toEqual({ numTensors: before, first });
  });

  it('takes the fast path (no dataSync) on wasm and cpu, else falls back to dataSync', () => {
    const t = track(tf.tidy(() => tf.transpose(tf.matMul(tf.randomUniform([200, 100]), tf.randomUniform([100, 300])))));
    const target = new Float32Array(t.size);
    let readSyncCalls = -1;
    const calls = dataSyncCalls(t, () => {
      readSyncCalls = backendReadSyncCalls(() => readInto(t, target));
    });
    const fast = fastPathBackends.includes(tf.getBackend());
    expect({ backend: tf.getBackend(), dataSyncCalls: calls, readSyncCalls }).toEqual({
      backend: tf.getBackend(),
      dataSyncCalls: fast ? 0 : 1,
      readSyncCalls: fast ? 0 : 1,
    });
    expect(firstMismatch(t).firstMismatch).toBe(-1);
  });

  it('falls back to dataSync for a tensor that another backend holds, without moving it', async () => {
    const home = tf.getBackend();
    if (!fastPathBackends.includes(home)) return; // only wasm and cpu have a fast path to check
    const away = home === 'cpu' ? 'wasm' : 'cpu';
    const t = track(tf.randomUniform([50, 40], -1, 1, 'float32', 6));
    const want = Float32Array.from(t.dataSync());
    let awayRead: { calls: number; same: boolean };
    try {
      expect(await tf.setBackend(away)).toBe(true);
      const target = new Float32Array(t.size);
      const calls = dataSyncCalls(t, () => readInto(t, target));
      awayRead = { calls, same: target.every((v, i) => Object.is(v, want[i])) };
    } finally {
      await tf.setBackend(home);
    }
    // back home, the data is still there: the fast path again
    const target = new Float32Array(t.size);
    const homeCalls = dataSyncCalls(t, () => readInto(t, target));
    expect({ awayRead, homeCalls, homeSame: target.every((v, i) => Object.is(v, want[i])) }).toEqual({
      awayRead: { calls: 1, same: true },
      homeCalls: 0,
      homeSame: true,
    });
  });
});

describe('readRangeInto', () => {
  it.each([
    [0, 12],
    [5, 7],
    [11, 1],
    [12, 0],
    [0, 0],
  ])('from %i, %i elements: the tensor’s flat elements there, bit for bit, without dataSync on wasm and cpu', (from, length) => {
    const t = tf.tidy(() => tf.transpose(tf.matMul(tf.randomUniform([3, 5], -1, 1, 'float32', 2), tf.randomUniform([5, 4], -1, 1, 'float32', 3))));
    try {
      const target = new Float32Array(length).fill(Number.NaN);
      const calls = dataSyncCalls(t, () => expect(readRangeInto(t, from, target)).toBe(target));
      const want = Float32Array.from(t.dataSync()).subarray(from, from + length);
      expect(new Uint32Array(target.buffer)).toEqual(new Uint32Array(want.slice().buffer));
      expect(calls).toBe(fastPathBackends.includes(tf.getBackend()) ? 0 : 1);
    } finally {
      t.dispose();
    }
  });

  it.each([
    [-1, 2],
    [11, 2],
    [0.5, 2],
  ])('throws for elements [%d, +%i) not all in the tensor, and leaves the target alone', (from, length) => {
    const t = tf.ones([3, 4]);
    try {
      const target = new Float32Array(length).fill(7);
      expect(() => readRangeInto(t, from, target)).toThrow(`readInto: elements [${from}, ${from + length}) are not all in the tensor's 12 (shape [3,4])`);
      expect(Array.from(target)).toEqual([7, 7]);
    } finally {
      t.dispose();
    }
  });
});
