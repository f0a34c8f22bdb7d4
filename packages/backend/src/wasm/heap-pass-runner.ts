/**
 * Runs a heap pass for a wasm kernel. On the threaded backend, through its
 * heap workers (`wasm-threads/heap-workers.ts`, which register themselves per
 * backend): the pass's WebAssembly twin (`heap-passes.wat`) runs on the
 * shared heap, split between the calling thread and the workers when it is
 * large enough. Elsewhere (tfjs's single-threaded build, browsers) the
 * JavaScript pass (`heap-passes.ts`) runs in one piece on the calling
 * thread. All give the same bytes. No Node builtin is imported here (the
 * browser entry bundles the wasm kernels).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { ContrastiveError } from '@contrastive/core';
import type { WasmHeapBackend } from './heap-views';
import {
  col2imAddPass,
  copyRangePass,
  dyRowsPass,
  fillPass,
  im2colBatchInnerPass,
  im2colChannelMajorPass,
  swapMiddleAxesPass,
} from './heap-passes';

/**
 * The passes by id, in the order the heap workers know them; `float` passes
 * read and write float32 views, the others 32-bit integer views.
 */
export const HEAP_PASSES = {
  im2colChannelMajor: { id: 0, fn: im2colChannelMajorPass, float: false },
  im2colBatchInner: { id: 1, fn: im2colBatchInnerPass, float: false },
  dyRows: { id: 2, fn: dyRowsPass, float: false },
  swapMiddleAxes: { id: 3, fn: swapMiddleAxesPass, float: false },
  col2imAdd: { id: 4, fn: col2imAddPass, float: true },
  copyRange: { id: 5, fn: copyRangePass, float: false },
  fill: { id: 6, fn: fillPass, float: false },
  // WebAssembly only (heap-passes.wat): the MaxPoolGrad kernel uses it on the threaded backend alone.
  maxPoolGrad: { id: 7, fn: undefined, float: true },
} as const;

/** A pass's name in {@link HEAP_PASSES}. */
export type HeapPassName = keyof typeof HEAP_PASSES;

/**
 * Passes whose target has fewer elements than this run in one piece on the
 * calling thread: waking a worker costs about 50-100 us (measured on the
 * build machine), the time of a 256 KB copy.
 */
export const MIN_SPLIT_ELEMENTS = 1 << 16;

let minSplitElements = MIN_SPLIT_ELEMENTS;

/** Sets the smallest target that is split (tests split small passes with 0); returns the previous value. */
export function setMinSplitElements(elements: number): number {
  const previous = minSplitElements;
  minSplitElements = elements;
  return previous;
}

/**
 * Heap workers of one threaded backend: `run` runs a pass's WebAssembly twin
 * on the shared heap, split into pieces between the calling thread and the
 * workers when `split` (else in one piece on the calling thread), and
 * returns when all are done. `args = [srcOffset, srcLength, dstOffset, dstLength, ...params]`
 * in 4-byte elements of the heap.
 */
export interface HeapWorkers {
  /** Threads that take pieces of a pass: the calling thread and the workers. */
  readonly threads: number;
  run(pass: number, args: readonly number[], split: boolean): void;
}

const REGISTRY_KEY = Symbol.for('@contrastive/backend/heap-workers');

function registry(): WeakMap<object, HeapWorkers> {
  const holder = globalThis as unknown as Record<symbol, WeakMap<object, HeapWorkers> | undefined>;
  holder[REGISTRY_KEY] ??= new WeakMap();
  return holder[REGISTRY_KEY];
}

/** Attaches (or with `undefined` detaches) the heap workers of `backend`. */
export function setHeapWorkers(backend: object, workers: HeapWorkers | undefined): void {
  if (workers === undefined) registry().delete(backend);
  else registry().set(backend, workers);
}

/** The heap workers of `backend`, if it has any. */
export function heapWorkersOf(backend: object): HeapWorkers | undefined {
  return registry().get(backend);
}

/** Heap offset (in 4-byte elements) and length of `t`. */
function heapSpan(backend: WasmHeapBackend, t: TensorInfo): [number, number, ArrayBufferLike] {
  const view = backend.typedArrayFromHeap(t);
  // Division, not `>> 2`: heaps past 2 GB have byte offsets beyond int32.
  return [view.byteOffset / 4, view.byteLength / 4, view.buffer];
}

/**
 * Runs `pass` from tensor `src` into tensor `dst` (both 4-byte dtypes on the
 * wasm heap of `backend`; take no views before, as `dst`'s allocation may
 * have grown the heap). `params` are the pass's own parameters.
 */
export function runHeapPass(backend: WasmHeapBackend, name: HeapPassName, src: TensorInfo, dst: TensorInfo, params: readonly number[]): void {
  const pass = HEAP_PASSES[name];
  const [srcOffset, srcLength, buffer] = heapSpan(backend, src);
  const [dstOffset, dstLength] = heapSpan(backend, dst);
  const workers = heapWorkersOf(backend);
  if (workers !== undefined) {
    workers.run(pass.id, [srcOffset, srcLength, dstOffset, dstLength, ...params], dstLength >= minSplitElements);
    return;
  }
  if (pass.fn === undefined) {
    throw new ContrastiveError('BACKEND_UNAVAILABLE', `runHeapPass: '${name}' must run on the threaded wasm backend's heap workers; got none`, {
      fn: 'runHeapPass',
      argument: 'name',
    });
  }
  const run = pass.fn as (s: Int32Array | Float32Array, d: Int32Array | Float32Array, q: readonly number[], part: number, parts: number) => void;
  if (pass.float) run(new Float32Array(buffer, srcOffset * 4, srcLength), new Float32Array(buffer, dstOffset * 4, dstLength), params, 0, 1);
  else run(new Int32Array(buffer, srcOffset * 4, srcLength), new Int32Array(buffer, dstOffset * 4, dstLength), params, 0, 1);
}
