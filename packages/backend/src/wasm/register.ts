/**
 * Registers the training kernels that the wasm backend lacks or runs slowly.
 * Idempotent: registering twice is a no-op.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/** Kernel configs this package provides for the wasm backend. */
export const WASM_TRAINING_KERNELS: KernelConfig[] = [
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
];

let registered = false;

/** Registers {@link WASM_TRAINING_KERNELS}, replacing slower built-in ones. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const config of WASM_TRAINING_KERNELS) {
    if (getKernel(config.kernelName, 'wasm') !== undefined) {
      unregisterKernel(config.kernelName, 'wasm');
    }
    registerKernel(config);
  }
  registered = true;
}
