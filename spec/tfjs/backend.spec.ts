import * as tf from '@tensorflow/tfjs';
import { BACKEND_CHOICES, BackendError, backendFromEnvironment, currentBackend, useBackend } from '../../src/tfjs/backend';

// Backend selection: DERIVCHECK_BACKEND is checked against the choices, and 'tensorflow' either
// runs or says that @tensorflow/tfjs-node is missing (its install cannot reach its download here).

/** What a call did, as data: the value it gave or the error it threw. */
function outcome<T>(call: () => T): { value: T } | { error: string; message: string } {
  try {
    return { value: call() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

describe('backendFromEnvironment', () => {
  it('is auto when DERIVCHECK_BACKEND is unset', () => {
    expect(outcome(() => backendFromEnvironment({}))).toEqual({ value: 'auto' });
  });

  it.each([...BACKEND_CHOICES])('accepts %s', (choice) => {
    expect(outcome(() => backendFromEnvironment({ DERIVCHECK_BACKEND: choice }))).toEqual({ value: choice });
  });

  it.each(['gpu', 'webgl', 'CPU', ''])('rejects %j and lists the choices', (asked) => {
    expect(outcome(() => backendFromEnvironment({ DERIVCHECK_BACKEND: asked }))).toEqual({
      error: BackendError.name,
      message: `DERIVCHECK_BACKEND=${asked} is not one of auto, tensorflow, wasm, cpu`,
    });
  });
});

describe('useBackend', () => {
  // leave the backend as the environment asks for it, for the spec files after this one
  afterAll(async () => {
    await useBackend();
  });

  it("gives 'cpu' for cpu", async () => {
    const name = await useBackend('cpu');
    expect({ name, tfjs: tf.getBackend(), current: currentBackend() }).toEqual({ name: 'cpu', tfjs: 'cpu', current: 'cpu' });
  });

  it("runs 'tensorflow' or throws a BackendError that names tfjs-node", async () => {
    let result: { name: string; tfjs: string } | { error: string; namesTfjsNode: boolean; message: string };
    try {
      const name = await useBackend('tensorflow');
      result = { name, tfjs: tf.getBackend() };
    } catch (e) {
      const message = (e as Error).message;
      result = { error: (e as Error).constructor.name, namesTfjsNode: message.includes('@tensorflow/tfjs-node'), message };
    }
    if ('name' in result) expect(result).toEqual({ name: 'tensorflow', tfjs: 'tensorflow' });
    else expect(result).toEqual({ error: BackendError.name, namesTfjsNode: true, message: result.message });
  });
});
