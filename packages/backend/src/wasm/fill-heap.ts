/**
 * `Fill` for the threaded wasm backend: the heap workers' WebAssembly `fill`
 * pass (vector stores, split between threads when large) instead of the
 * built-in kernel's `TypedArray.fill`, which Node runs about 2.5x slower on
 * the threaded build's shared heap than on an ArrayBuffer. Zero-filled
 * accumulators (col2im) and the broadcast Tile start from it. On the
 * single-threaded build and for other dtypes, the built-in kernel runs.
 */
import { Fill, util } from '@tensorflow/tfjs-core';
import type { DataType, KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { heapWorkersOf, runHeapPass } from './heap-pass-runner';
import type { WasmHeapBackend } from './heap-views';
import { originalKernel } from './original-kernels';

const kernelFunc: KernelFunc = (args) => {
  const { shape, value } = args.attrs as unknown as { shape: number[]; value: number | string };
  const dtype = ((args.attrs as { dtype?: DataType }).dtype ?? util.inferDtype(value)) as DataType;
  if (heapWorkersOf(args.backend) === undefined || (dtype !== 'float32' && dtype !== 'int32') || typeof value !== 'number') {
    return originalKernel(Fill)(args);
  }
  const backend = args.backend as unknown as WasmHeapBackend;
  const out = backend.makeOutput(shape, dtype);
  if (util.sizeFromShape(shape) === 0) return out;
  // The 32-bit pattern of the value as stored: float32 bits, or the int32 itself (truncated as Int32Array does).
  const bits = dtype === 'float32' ? new Int32Array(Float32Array.of(value).buffer)[0] : Int32Array.of(value)[0];
  runHeapPass(backend, 'fill', out, out, [bits as number]);
  return out;
};

/** `Fill` by the heap workers on the threaded wasm backend; the built-in kernel elsewhere. */
export const fillConfig: KernelConfig = { kernelName: Fill, backendName: 'wasm', kernelFunc };
