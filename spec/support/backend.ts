import { useBackend } from '../../src/tfjs/backend';

/** Starts the backend DERIVCHECK_BACKEND names (auto when unset) before a spec file's tests. */
export function useSpecBackend(): void {
  beforeAll(async () => {
    await useBackend();
  });
}
