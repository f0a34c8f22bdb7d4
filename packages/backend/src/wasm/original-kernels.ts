/**
 * The wasm backend's own kernels that this package wraps: saved before
 * {@link registerWasmTrainingKernels} replaces them, so a wrapper can hand
 * the cases it does not speed up back to the original.
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { ContrastiveError } from '@contrastive/core';

const originals = new Map<string, KernelFunc>();

/** Remembers the currently registered wasm kernel `name` (first call wins). */
export function saveOriginalKernel(name: string): void {
  const kernel = getKernel(name, 'wasm');
  if (kernel !== undefined && !originals.has(name)) originals.set(name, kernel.kernelFunc);
}

/** The wasm backend's own kernel function for `name`. */
export function originalKernel(name: string): KernelFunc {
  const saved = originals.get(name);
  if (saved === undefined) {
    throw new ContrastiveError('BACKEND_UNAVAILABLE', `originalKernel: 'name' must be a wrapped wasm kernel; got "${name}"`, {
      fn: 'originalKernel',
      argument: 'name',
    });
  }
  return saved;
}
