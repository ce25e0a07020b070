import { EXIT } from '../report/runReport';
import { BackendError, useBackend, type BackendChoice } from '../tfjs/backend';

// How a command gives up: one line on stderr, exit code 2 (DESIGN §4: bad usage or input).

export function fail(message: string): number {
  process.stderr.write(`derivcheck: ${message}\n`);
  return EXIT.invalid;
}

/** The backend's name, or the exit code after saying why it could not start. */
export async function startBackend(choice: BackendChoice): Promise<{ backend: string } | { code: number }> {
  try {
    return { backend: await useBackend(choice) };
  } catch (e) {
    if (e instanceof BackendError) return { code: fail(e.message) };
    throw e;
  }
}
