/**
 * `Identity` for wasm that shares the input's buffer (one more reference)
 * instead of copying it, as the wasm `Reshape` and the cpu backend's
 * `Identity` already do. Wasm kernels always write fresh outputs, so a shared
 * buffer is never modified in place; it is freed when the last tensor using
 * it is disposed. Training calls `Identity` (`tf.clone`, gradients passed
 * through unchanged) ~90 times per step of the bench network, each a full
 * activation-sized copy before. Strings use the built-in kernel.
 */
import { Identity } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { originalKernel } from './original-kernels';

const kernelFunc: KernelFunc = (args) => {
  const x = (args.inputs as { x: TensorInfo }).x;
  if (x.dtype === 'string') return originalKernel(Identity)(args);
  (args.backend as KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

/** Buffer-sharing `Identity` on wasm. */
export const identityConfig: KernelConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc };
