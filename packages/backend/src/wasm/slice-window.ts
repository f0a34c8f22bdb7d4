/**
 * `Slice` for wasm as row copies between views of the wasm heap.
 *
 * The built-in kernel first copies the WHOLE input out of the heap
 * (`readSync`) and then copies the window element by element for ranks
 * above 4 (73 ms to crop `[128, 34, 34, 64]` to `[128, 32, 32, 64]`, the
 * gradient of a zero padding, on the build machine). Here the window is
 * copied straight from heap to heap, one contiguous run (the innermost
 * partial axis times the full axes after it) at a time, with
 * `TypedArray.set` for long runs. Numeric dtypes only (4-byte ones copied as
 * int32 bit patterns, bool as bytes); strings use the built-in kernel.
 */
import { Slice, slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { originalKernel } from './original-kernels';
import type { WasmHeapBackend } from './heap-views';

/** Shortest run copied with `TypedArray.set` (a subarray costs more than a short loop). */
const SET_MIN_RUN = 16;

type Flat = Int32Array | Uint8Array;

/** A view of `t`'s heap bytes as 32-bit words (4-byte dtypes) or bytes (bool). */
function flatView(backend: WasmHeapBackend, t: TensorInfo): Flat {
  const view = backend.typedArrayFromHeap(t);
  const size = util.sizeFromShape(t.shape);
  return view.BYTES_PER_ELEMENT === 4 ? new Int32Array(view.buffer, view.byteOffset, size) : new Uint8Array(view.buffer, view.byteOffset, size);
}

/**
 * Writes `x[begin : begin + size]` (row-major `shape`) into `dst`, contiguous.
 * Exported for tests.
 */
export function copyWindow(src: Flat, dst: Flat, shape: readonly number[], begin: readonly number[], size: readonly number[]): void {
  const rank = shape.length;
  const strides = util.computeStrides(shape as number[]);
  // The innermost axis that is not taken whole; everything after it is one contiguous run.
  let axis = rank - 1;
  while (axis > 0 && size[axis] === shape[axis]) axis--;
  const inner = axis === rank - 1 ? 1 : (strides[axis] as number);
  const run = (size[axis] as number) * inner;
  const outer = util.sizeFromShape(size.slice(0, axis) as number[]);
  const index = new Array<number>(axis).fill(0);
  let o = 0;
  for (let r = 0; r < outer; r++) {
    let s = (begin[axis] as number) * inner;
    for (let d = 0; d < axis; d++) s += ((begin[d] as number) + (index[d] as number)) * (strides[d] as number);
    if (run >= SET_MIN_RUN) {
      dst.set(src.subarray(s, s + run), o);
      o += run;
    } else {
      for (let i = 0; i < run; i++) dst[o++] = src[s + i] as number;
    }
    // Odometer over the outer axes.
    for (let d = axis - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (size[d] as number)) break;
      index[d] = 0;
    }
  }
}

const kernelFunc: KernelFunc = (args) => {
  const x = (args.inputs as { x: TensorInfo }).x;
  const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
  if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0) return originalKernel(Slice)(args);
  const [begin_, size_] = slice_util.parseSliceParams(x, begin, size);
  const backend = args.backend as unknown as WasmHeapBackend;
  const out = backend.makeOutput(size_, x.dtype);
  if (util.sizeFromShape(size_) === 0) return out;
  // Views only after the allocation: malloc may grow (and detach) the heap.
  copyWindow(flatView(backend, x), flatView(backend, out), x.shape, begin_, size_);
  return out;
};

/** Heap-to-heap `Slice` on wasm; strings use the built-in kernel. */
export const sliceConfig: KernelConfig = { kernelName: Slice, backendName: 'wasm', kernelFunc };
