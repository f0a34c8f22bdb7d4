/**
 * `MaxPoolGrad` for the threaded wasm backend: the heap workers' WebAssembly
 * `maxPoolGrad` pass (heap-passes.wat), images split between threads.
 * tfjs's own kernel is a scalar single-threaded loop, which was about a fifth
 * of the main thread's time in the `cpu-fashion-mnist` presets' 2-thread step
 * (ConvNet with max pooling). Semantics as tfjs's: each output's gradient goes
 * to the first strict maximum of its window (row-major scan), summed over
 * overlapping windows in output order. On the single-threaded build, for
 * dilated pooling and for other dtypes, the built-in kernel runs.
 */
import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapWorkersOf, runHeapPass } from './heap-pass-runner';
import type { WasmHeapBackend } from './heap-views';
import { originalKernel } from './original-kernels';

const kernelFunc: KernelFunc = (args) => {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (heapWorkersOf(args.backend) === undefined || dy.dtype !== 'float32' || input.dtype !== 'float32' || input.shape.length !== 4) {
    return originalKernel(MaxPoolGrad)(args);
  }
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const backend = args.backend as unknown as WasmHeapBackend;
  const out = backend.makeOutput(input.shape.slice(), 'float32');
  // Heap offsets only after the allocation: malloc may grow the heap.
  const xAt = backend.typedArrayFromHeap(input).byteOffset / 4;
  runHeapPass(backend, 'maxPoolGrad', dy, out, [
    xAt,
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
  return out;
};

/** `MaxPoolGrad` by the heap workers on the threaded wasm backend; the built-in kernel elsewhere. */
export const maxPoolGradConfig: KernelConfig = { kernelName: MaxPoolGrad, backendName: 'wasm', kernelFunc };
