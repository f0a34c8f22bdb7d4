/**
 * Views of tensors on the wasm heap, for kernels that copy or compute in
 * JavaScript. Take views only after allocating the output: `malloc` may grow
 * the heap, which detaches every earlier view.
 */
import { util } from '@tensorflow/tfjs-core';
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of the wasm backend the heap kernels use. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** The 4-byte tensor `t` as 32-bit integers (bit-exact copies of float32 too). */
export function int32View(backend: WasmHeapBackend, t: TensorInfo): Int32Array {
  const view = backend.typedArrayFromHeap(t);
  return new Int32Array(view.buffer, view.byteOffset, util.sizeFromShape(t.shape));
}

/** The float32 tensor `t`. */
export function float32View(backend: WasmHeapBackend, t: TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(t);
  return new Float32Array(view.buffer, view.byteOffset, util.sizeFromShape(t.shape));
}
