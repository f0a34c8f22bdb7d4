/**
 * Backend selection. `tensorflow` means the native bindings
 * (`@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`) when the user
 * has installed them; they download libtensorflow at install time, so they
 * are optional peers, never dependencies. `auto` prefers them, then wasm
 * (XNNPACK, SIMD, with this package's training kernels), then cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { assertOneOf, ContrastiveError } from '@contrastive/core';
import { registerWasmTrainingKernels } from './wasm/register';
import { ensureGradients } from './ensure-gradients';
import { registerImageKernels } from './resample-grids-kernel';
import { registerReduceGradients } from './reduce-gradients';

/** What a caller may ask for. */
export type BackendRequest = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
/** The names of tfjs backends this package can activate. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** The outcome of {@link setBackend}. */
export interface BackendChoice {
  /** The tfjs backend now active. */
  readonly backend: BackendName;
  /** What was asked for. */
  readonly requested: BackendRequest;
  /** The npm package that provides the backend. */
  readonly provider: string;
  /** Why this backend was chosen, including every fallback taken. */
  readonly reason: string;
  /** True when the wasm training kernels of this package are registered. */
  readonly trainingKernels: boolean;
}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

function loadNative(): { provider: string } | { failures: string[] } {
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const name of NATIVE_PACKAGES) {
    try {
      require(name);
      return { provider: name };
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      failures.push(`${name}: ${message}`);
    }
  }
  return { failures };
}

async function activate(name: BackendName): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Activates a tfjs backend and reports what it chose and why.
 *
 * - `'tensorflow'`: the native bindings; throws `BACKEND_UNAVAILABLE` when
 *   neither package can be loaded.
 * - `'wasm'`: the wasm backend with this package's training kernels.
 * - `'cpu'`: the pure JavaScript backend (slow; the parity reference).
 * - `'auto'` (default): tensorflow, else wasm, else cpu; the reason names
 *   every fallback.
 */
export async function setBackend(request: BackendRequest = 'auto'): Promise<BackendChoice> {
  assertOneOf('setBackend', 'request', request, BACKEND_REQUESTS);
  ensureGradients();
  registerReduceGradients();
  registerImageKernels();
  const notes: string[] = [];

  if (request === 'tensorflow' || request === 'auto') {
    const native = loadNative();
    if ('provider' in native && (await activate('tensorflow'))) {
      return {
        backend: 'tensorflow',
        requested: request,
        provider: native.provider,
        reason: `${native.provider} is installed`,
        trainingKernels: false,
      };
    }
    const why =
      'failures' in native
        ? `native bindings not installed (${native.failures.join('; ')})`
        : 'native bindings loaded but the tensorflow backend did not start';
    if (request === 'tensorflow') {
      throw new ContrastiveError(
        'BACKEND_UNAVAILABLE',
        `setBackend: 'request' must name an available backend; got "tensorflow" but ${why}. ` +
          'Install @tensorflow/tfjs-node-gpu (NVIDIA GPU) or @tensorflow/tfjs-node.',
        { fn: 'setBackend', argument: 'request' },
      );
    }
    notes.push(why);
  }

  if (request === 'wasm' || request === 'auto') {
    registerWasmTrainingKernels();
    if (await activate('wasm')) {
      return {
        backend: 'wasm',
        requested: request,
        provider: '@tensorflow/tfjs-backend-wasm',
        reason: [...notes, 'wasm (XNNPACK, SIMD) with training kernels'].join('; falling back to '),
        trainingKernels: true,
      };
    }
    const why = 'the wasm backend failed to initialise';
    if (request === 'wasm') {
      throw new ContrastiveError('BACKEND_UNAVAILABLE', `setBackend: 'request' must name an available backend; got "wasm" but ${why}`, {
        fn: 'setBackend',
        argument: 'request',
      });
    }
    notes.push(why);
  }

  if (!(await activate('cpu'))) {
    throw new ContrastiveError('BACKEND_UNAVAILABLE', "setBackend: 'request' must name an available backend; got \"cpu\" but it failed to start", {
      fn: 'setBackend',
      argument: 'request',
    });
  }
  return {
    backend: 'cpu',
    requested: request,
    provider: '@tensorflow/tfjs-backend-cpu',
    reason: [...notes, 'cpu (pure JavaScript)'].join('; falling back to '),
    trainingKernels: false,
  };
}
