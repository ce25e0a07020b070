import * as tf from '@tensorflow/tfjs';
import { BACKEND_CHOICES, type BackendChoice } from './backendChoices';

export { BACKEND_CHOICES, type BackendChoice };

export class BackendError extends Error {}

/** The backend asked for by DERIVCHECK_BACKEND, or auto. */
export function backendFromEnvironment(env: NodeJS.ProcessEnv = process.env): BackendChoice {
  const asked = env.DERIVCHECK_BACKEND ?? 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(asked)) {
    throw new BackendError(`DERIVCHECK_BACKEND=${asked} is not one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return asked as BackendChoice;
}

function loadNative(): boolean {
  try {
    // Optional dependency: absent (or without its native library) where its install could not download it.
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

async function trySet(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

let initialised: string | undefined;

/**
 * Selects a tfjs backend (auto: native TensorFlow, else wasm, else cpu) and returns the name of the
 * one in use. Prod mode keeps the cpu backend's "install tfjs-node" banner out of the output.
 */
export async function useBackend(choice: BackendChoice = backendFromEnvironment()): Promise<string> {
  tf.enableProdMode();
  if (choice === 'tensorflow' || choice === 'auto') {
    if (loadNative() && (await trySet('tensorflow'))) return (initialised = 'tensorflow');
    if (choice === 'tensorflow') {
      throw new BackendError(
        "backend 'tensorflow' needs @tensorflow/tfjs-node, which is not installed here (its install downloads the TensorFlow C library); use --backend wasm or cpu",
      );
    }
  }
  if (choice === 'wasm' || choice === 'auto') {
    require('@tensorflow/tfjs-backend-wasm');
    if (await trySet('wasm')) return (initialised = 'wasm');
    if (choice === 'wasm') throw new BackendError("backend 'wasm' failed to start");
  }
  if (await trySet('cpu')) return (initialised = 'cpu');
  throw new BackendError("backend 'cpu' failed to start");
}

/** The backend chosen by the last useBackend call. */
export function currentBackend(): string | undefined {
  return initialised;
}
