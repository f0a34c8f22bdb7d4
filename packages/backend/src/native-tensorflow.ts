/**
 * The native TensorFlow bindings: `@tensorflow/tfjs-node-gpu`, else
 * `@tensorflow/tfjs-node`. Their install downloads libtensorflow, so they are
 * optional peers, never dependencies; this module loads whichever is
 * installed and tells whether TensorFlow really runs on a GPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';

/** Packages tried in order. */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/**
 * What `@tensorflow/tfjs-node-gpu` 4.x needs on the machine: it links
 * TensorFlow 2.9.1, built against these (tfjs-node's README).
 */
export const TENSORFLOW_GPU_REQUIREMENTS = 'an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1 on the library path (tfjs-node-gpu 4.x links TensorFlow 2.9.1)';

export type NativeLoad = { provider: string } | { failures: string[] };

/** Requires the first installed native package (which registers the `tensorflow` backend). */
export function loadNative(): NativeLoad {
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

/** The fields of tfjs-node's `NodeJSKernelBackend` that say where TensorFlow runs. */
interface NativeBackendFlags {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
}

/**
 * Whether the active `tensorflow` backend runs its kernels on a GPU, as its
 * binding reports (TensorFlow found a CUDA device when it started), and a
 * sentence saying so. `backend` defaults to the active one.
 */
export function tensorflowDevice(provider: string, backend: object = tf.backend()): { gpu: boolean; description: string } {
  const flags = backend as NativeBackendFlags;
  if (flags.isUsingGpuDevice === true) return { gpu: true, description: `${provider} on a CUDA GPU` };
  if (flags.isGPUPackage === true || provider === '@tensorflow/tfjs-node-gpu') {
    return {
      gpu: false,
      description: `${provider} is installed but TensorFlow found no usable GPU and runs on the CPU; it needs ${TENSORFLOW_GPU_REQUIREMENTS}`,
    };
  }
  return { gpu: false, description: `${provider} runs TensorFlow on the CPU (multi-threaded native kernels)` };
}
