/**
 * `Tile` for wasm when it is a broadcast (every tiled axis has size 1), as in
 * tfjs's batch-norm gradient, which tiles a `[1, 1, 1, c]` vector to the full
 * activation shape: a zero fill plus XNNPACK's broadcasting add, instead of
 * the built-in element-by-element loop. Other tilings use the built-in kernel.
 */
import { Tile } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runInKernelScope } from './kernel-scope';
import { originalKernel } from './original-kernels';

const kernelFunc: KernelFunc = (args) => {
  const x = (args.inputs as { x: TensorInfo }).x;
  const { reps } = args.attrs as unknown as { reps: number[] };
  const broadcast = x.shape.every((d, i) => d === 1 || (reps[i] ?? 1) === 1);
  if (x.dtype !== 'float32' || !broadcast) return originalKernel('Tile')(args);
  const shape = x.shape.map((d, i) => d * (reps[i] ?? 1));
  return runInKernelScope(args.backend, (ops) => {
    const zeros = ops.call('Fill', {}, { shape, value: 0, dtype: 'float32' });
    return ops.add(zeros, x);
  });
};

/** Broadcast-style `Tile` on wasm. */
export const tileConfig: KernelConfig = { kernelName: Tile, backendName: 'wasm', kernelFunc };
