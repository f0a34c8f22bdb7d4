/**
 * Registers the training kernels that the wasm backend lacks or runs slowly.
 * Idempotent: registering twice is a no-op.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig, fusedMatMulConfig } from './batch-mat-mul';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input';
import { fillConfig } from './fill-heap';
import { gatherConfig } from './gather-heap';
import { identityConfig } from './identity-share';
import { maxPoolGradConfig } from './max-pool-grad-heap';
import { saveOriginalKernel } from './original-kernels';
import { meanConfig, sumConfig } from './reduce-leading';
import { sliceConfig } from './slice-window';
import { tileConfig } from './tile-broadcast';
import { transposeConfig } from './transpose-swap';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/** Kernel configs this package provides for the wasm backend. */
export const WASM_TRAINING_KERNELS: KernelConfig[] = [
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  unsortedSegmentSumConfig,
  sumConfig,
  meanConfig,
  tileConfig,
  transposeConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  identityConfig,
  sliceConfig,
  gatherConfig,
  fillConfig,
  maxPoolGradConfig,
];

let registered = false;

/** Registers {@link WASM_TRAINING_KERNELS}, replacing slower built-in ones. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const config of WASM_TRAINING_KERNELS) {
    const original = getKernel(config.kernelName, 'wasm');
    if (original !== undefined) {
      saveOriginalKernel(config.kernelName);
      unregisterKernel(config.kernelName, 'wasm');
    }
    // A wrapper that falls back to the built-in kernel must keep its wasm setup
    // (the backend runs setupFunc of registered kernels when it initialises).
    const setupFunc = config.setupFunc ?? original?.setupFunc;
    registerKernel(setupFunc === undefined ? config : { ...config, setupFunc });
  }
  registered = true;
}
