/**
 * Reading a score block into JavaScript without a copy where the backend's
 * memory is already JavaScript's.
 *
 * On wasm every kernel has run by the time its op returns, and a tensor's
 * values sit in the module's heap; `BackendWasm.typedArrayFromHeap` (the
 * accessor the wasm kernels themselves use) gives a view of them. `data()`
 * instead slices a fresh copy out of the heap: for the host k-means path's
 * [rows, k] score blocks that copy cost about as much CPU time as the block's
 * matmul (16 MB blocks at ~0.4 GB/s, mostly page faults of the new buffer
 * and the garbage it leaves), measured on one wasm thread at 100k x 128,
 * k = 1000. Elsewhere (cpu, webgpu, ...) the block is read with
 * `await t.data()`, as before.
 */
import * as tf from '@tensorflow/tfjs-core';

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function heapBackend(): HeapBackend | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as Partial<HeapBackend>;
  return typeof backend.typedArrayFromHeap === 'function' ? (backend as HeapBackend) : undefined;
}

/**
 * The float32 values of `t`: a view into the wasm heap on wasm (valid only
 * until the next tensor is created or disposed: an allocation can grow and
 * so move the heap), otherwise the array of `await t.data()`.
 */
export async function readBlock(t: tf.Tensor): Promise<Float32Array> {
  const heap = heapBackend();
  if (heap !== undefined && t.dtype === 'float32') return heap.typedArrayFromHeap(t) as Float32Array;
  return (await t.data()) as Float32Array;
}
