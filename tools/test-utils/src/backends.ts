/**
 * Runs a test suite on several backends: `describeBackends(['cpu', 'wasm'], name => ...)`.
 * Each block activates its backend in beforeAll (wasm with the training kernels).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe } from 'vitest';
import { setBackend, type BackendName } from '@contrastive/backend';

export type TestBackend = Exclude<BackendName, 'tensorflow'>;

/** Activates `name` (wasm with training kernels). */
export async function useBackend(name: TestBackend): Promise<void> {
  await setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`backend ${name} did not start`);
}

export function describeBackends(
  backends: readonly TestBackend[],
  body: (backend: TestBackend) => void,
): void {
  for (const backend of backends) {
    describe(`on ${backend}`, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });
      body(backend);
    });
  }
}
