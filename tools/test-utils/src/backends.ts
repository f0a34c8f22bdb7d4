/**
 * Runs a test suite on several backends: `describeBackends(['cpu', 'wasm'], name => ...)`.
 * Each block activates its backend in beforeAll (wasm with the training kernels,
 * webgpu on whatever adapter the machine has, software ones included).
 *
 * Where no WebGPU adapter exists, a `webgpu` block is skipped with a warning on
 * stderr; under CI (`CI=true`) it fails instead, since CI must run the
 * accelerator path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { setBackend, type BackendName } from '@contrastive/backend';
import { webgpuStatus } from './webgpu-status';

export type TestBackend = Exclude<BackendName, 'tensorflow'>;

/** Activates `name` (wasm with training kernels). */
export async function useBackend(name: TestBackend): Promise<void> {
  await setBackend(name);
  if (tf.getBackend() !== name) throw new Error(`backend ${name} did not start`);
}

let warned = false;

/** False (after saying so) when `backend` cannot run on this machine outside CI. */
function runnable(backend: TestBackend): boolean {
  if (backend !== 'webgpu') return true;
  const status = webgpuStatus();
  if (status.available || process.env['CI'] === 'true') return true;
  if (!warned) {
    warned = true;
    process.stderr.write(
      `\n!!! WEBGPU TESTS SKIPPED: ${status.detail}.\n!!! Install a Vulkan driver (Debian bookworm: apt-get install -t bookworm-backports mesa-vulkan-drivers) to run them.\n\n`,
    );
  }
  return false;
}

export function describeBackends(backends: readonly TestBackend[], body: (backend: TestBackend) => void): void {
  for (const backend of backends) {
    if (!runnable(backend)) {
      describe.skip(`on ${backend}`, () => body(backend));
      continue;
    }
    if (backend === 'webgpu' && !webgpuStatus().available) {
      describe(`on ${backend}`, () => {
        it('has a WebGPU adapter (required under CI)', () => {
          throw new Error(`no WebGPU adapter under CI: ${webgpuStatus().detail}`);
        });
      });
      continue;
    }
    describe(`on ${backend}`, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });
      body(backend);
    });
  }
}

/**
 * Runs `body` in both of tfjs-backend-webgpu's kernel modes: every kernel as a
 * WebGPU shader, and the default, which hands kernels whose inputs are small
 * (< 1000 elements) and not yet on the GPU to tfjs's CPU kernels (alone, that
 * mode would compare small cases' cpu kernels with themselves). Call it
 * inside a `describeBackends(['webgpu'], ...)` block.
 */
export function inBothKernelModes(body: () => void): void {
  for (const forward of [false, true]) {
    describe(forward ? 'small kernels handed to cpu (default)' : 'every kernel a shader', () => {
      let saved = true;
      beforeAll(() => {
        saved = tf.env().getBool('WEBGPU_CPU_FORWARD');
        tf.env().set('WEBGPU_CPU_FORWARD', forward);
      });
      afterAll(() => tf.env().set('WEBGPU_CPU_FORWARD', saved));
      body();
    });
  }
}
