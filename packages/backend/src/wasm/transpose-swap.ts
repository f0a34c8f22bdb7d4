/**
 * `Transpose` for wasm when the permutation swaps two adjacent axis groups
 * (after dropping size-1 axes and merging consecutive ones): 2-D transposes,
 * `[b, r, c] -> [b, c, r]` (the transposes of batched matmuls) and
 * `[r, c, d] -> [c, r, d]` (the filter-gradient layouts). These run as the
 * cache-blocked JavaScript copy of `swapMiddleAxesPass` on the wasm heap
 * (split between the heap workers on the threaded backend);
 * other permutations, 1-byte dtypes and strings use the built-in kernel.
 */
import { Transpose, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runHeapPass } from './heap-pass-runner';
import type { WasmHeapBackend } from './heap-views';
import { originalKernel } from './original-kernels';
import { asMiddleSwap, SWAP_TILE } from './swap-axes';


const kernelFunc: KernelFunc = (args) => {
  const x = (args.inputs as { x: TensorInfo }).x;
  const { perm } = args.attrs as unknown as { perm: number[] };
  const swap = x.dtype === 'float32' || x.dtype === 'int32' ? asMiddleSwap(x.shape, perm) : undefined;
  if (swap === undefined || util.sizeFromShape(x.shape) === 0) return originalKernel(Transpose)(args);
  const backend = args.backend as unknown as WasmHeapBackend;
  const out = backend.makeOutput(
    perm.map((p) => x.shape[p] as number),
    x.dtype,
  );
  runHeapPass(backend, 'swapMiddleAxes', x, out, [...swap, SWAP_TILE]);
  return out;
};

/** Fast `Transpose` on wasm for axis-group swaps; other permutations use the built-in kernel. */
export const transposeConfig: KernelConfig = { kernelName: Transpose, backendName: 'wasm', kernelFunc };
