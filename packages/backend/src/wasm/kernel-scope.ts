/**
 * A tiny scope for composing wasm kernels from other registered wasm kernels.
 *
 * Composite kernels call the wasm backend's own kernel functions (XNNPACK
 * conv2d, matmul, pad, slice, ...) on `TensorInfo`s, which is cheaper than
 * going through tfjs ops and keeps the engine's tensor count untouched. Every
 * `TensorInfo` an op returns is an intermediate owned by the scope; `run`
 * frees all of them except the one returned, so composite kernels cannot leak.
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { DataType, KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { ContrastiveError } from '@contrastive/core';
import { runHeapPass } from './heap-pass-runner';
import type { HeapPassName } from './heap-pass-runner';
import { int32View } from './heap-views';

/** Shape-level ops available inside a composite wasm kernel. */
export interface KernelOps {
  /** Calls the wasm kernel `name`; the output is owned by the scope. */
  call(name: string, inputs: NamedTensorInfoMap, attrs?: NamedAttrMap): TensorInfo;
  reshape(x: TensorInfo, shape: number[]): TensorInfo;
  transpose(x: TensorInfo, perm: number[]): TensorInfo;
  /** Zero padding; `paddings[i] = [before, after]`, both >= 0. */
  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo;
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo;
  concat(xs: TensorInfo[], axis: number): TensorInfo;
  add(a: TensorInfo, b: TensorInfo): TensorInfo;
  sum(x: TensorInfo, axis: number[]): TensorInfo;
  /** `a @ b` for rank-3 `a: [B, M, K]`, `b: [B, K, N]` (no transposes: XNNPACK's fast path). */
  matMul(a: TensorInfo, b: TensorInfo): TensorInfo;
  /**
   * A new float32/int32 tensor of `shape` with `out[i] = x.flat()[index[i]]`,
   * or 0 where `index[i]` equals `size(x)` (a zero sentinel). A JavaScript loop
   * on the wasm heap: the built-in `GatherV2` costs ~300 ns per element.
   */
  gatherFlat(x: TensorInfo, index: Int32Array, shape: number[]): TensorInfo;
  /**
   * A new float32 tensor of `shape` written by the heap pass `pass` from
   * `input` (`heap-passes.ts`; split between the heap workers on the
   * threaded backend).
   */
  heapPass(pass: HeapPassName, input: TensorInfo, shape: number[], params: readonly number[]): TensorInfo;
  /**
   * Runs the heap pass `pass` from `input` into `target`, a float32
   * intermediate this scope created (e.g. col2im's scatter-add).
   */
  heapPassInto(pass: HeapPassName, input: TensorInfo, target: TensorInfo, params: readonly number[]): void;
  /** A new tensor holding `values`. */
  constant(shape: number[], dtype: DataType, values: Int32Array | Float32Array): TensorInfo;
  /**
   * Frees an intermediate this scope owns before the scope ends (no-op for
   * kernel inputs and already freed tensors): loops over chunks call it to
   * keep their memory bounded.
   */
  dispose(t: TensorInfo): void;
  /**
   * Pads with zeros or crops so that `axis` of `x` covers
   * `[-before, -before + length)` of the original index range.
   */
  window(x: TensorInfo, axis: number, before: number, length: number): TensorInfo;
}

/** Receives the wall time of every kernel a composite kernel calls (for profiling). */
export type InnerKernelProfiler = (name: string, milliseconds: number, outShape: readonly number[]) => void;

let profiler: InnerKernelProfiler | undefined;

/** Installs (or with `undefined` removes) a profiler for the kernels composite kernels call. */
export function setInnerKernelProfiler(next: InnerKernelProfiler | undefined): void {
  profiler = next;
}

interface WasmLikeBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: Int32Array | Float32Array): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}


function gatherFlat(backend: WasmLikeBackend, x: TensorInfo, index: Int32Array, shape: number[]): TensorInfo {
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new ContrastiveError('DTYPE_MISMATCH', `gatherFlat: 'x' must be float32 or int32; got ${x.dtype}`, { fn: 'gatherFlat', argument: 'x' });
  }
  const out = backend.makeOutput(shape, x.dtype);
  // Views only after the allocation: malloc may grow (and detach) the heap.
  const src = int32View(backend, x);
  const dst = int32View(backend, out);
  const size = src.length;
  if (dst.length !== index.length) {
    backend.disposeData(out.dataId);
    throw new ContrastiveError('SHAPE_MISMATCH', `gatherFlat: 'index' must have ${dst.length} entries; got ${index.length}`, {
      fn: 'gatherFlat',
      argument: 'index',
    });
  }
  for (let i = 0; i < index.length; i++) {
    const j = index[i] as number;
    dst[i] = j < size ? (src[j] as number) : 0;
  }
  return out;
}

/**
 * Runs `body` with ops bound to `backend` and frees every intermediate except
 * the returned `TensorInfo` (which the caller, the engine, then owns).
 */
export function runInKernelScope(backendLike: unknown, body: (ops: KernelOps) => TensorInfo): TensorInfo {
  const backend = backendLike as KernelBackend;
  const owned: TensorInfo[] = [];
  const track = (t: TensorInfo): TensorInfo => {
    owned.push(t);
    return t;
  };
  const call = (name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo => {
    const kernel = getKernel(name, 'wasm');
    if (kernel === undefined) {
      throw new ContrastiveError('BACKEND_UNAVAILABLE', `wasm kernel ${name}: 'kernel' must be registered on wasm; got none`, {
        fn: 'runInKernelScope',
        argument: 'kernel',
      });
    }
    const start = profiler === undefined ? 0 : performance.now();
    const out = kernel.kernelFunc({ inputs, attrs, backend });
    if (profiler !== undefined) {
      const first = Array.isArray(out) ? (out[0] as TensorInfo) : out;
      profiler(name, performance.now() - start, first.shape);
    }
    return track(Array.isArray(out) ? (out[0] as TensorInfo) : out);
  };
  const assertOwnedFloat = (target: TensorInfo, fn: string): void => {
    if (!owned.includes(target) || target.dtype !== 'float32') {
      throw new ContrastiveError('INVALID_ARGUMENT', `${fn}: 'target' must be a float32 intermediate of this scope; got ${target.dtype}`, {
        fn,
        argument: 'target',
      });
    }
  };
  const ops: KernelOps = {
    call,
    reshape: (x, shape) => call('Reshape', { x }, { shape }),
    transpose: (x, perm) => call('Transpose', { x }, { perm }),
    pad: (x, paddings) =>
      paddings.every(([a, b]) => a === 0 && b === 0) ? x : call('PadV2', { x }, { paddings, constantValue: 0 }),
    slice: (x, begin, size) =>
      x.shape.every((d, i) => begin[i] === 0 && size[i] === d) ? x : call('Slice', { x }, { begin, size }),
    concat: (xs, axis) => (xs.length === 1 ? (xs[0] as TensorInfo) : call('Concat', xs as unknown as NamedTensorInfoMap, { axis })),
    add: (a, b) => call('Add', { a, b }),
    sum: (x, axis) => call('Sum', { x }, { axis, keepDims: false }),
    matMul: (a, b) => call('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }),
    heapPass: (pass, input, shape, params) => {
      const out = track((backend as WasmLikeBackend).makeOutput(shape, 'float32'));
      runHeapPass(backend as WasmLikeBackend, pass, input, out, params);
      return out;
    },
    heapPassInto: (pass, input, target, params) => {
      assertOwnedFloat(target, 'heapPassInto');
      runHeapPass(backend as WasmLikeBackend, pass, input, target, params);
    },
    gatherFlat: (x, index, shape) => track(gatherFlat(backend as WasmLikeBackend, x, index, shape)),
    dispose: (t) => {
      const i = owned.indexOf(t);
      if (i < 0) return;
      owned.splice(i, 1);
      // One reference per owned TensorInfo (reshapes share a buffer by reference count).
      backend.disposeData(t.dataId);
    },
    constant: (shape, dtype, values) => track((backend as WasmLikeBackend).makeOutput(shape, dtype, undefined, values)),
    window: (x, axis, before, length) => {
      const size = x.shape[axis] as number;
      // Crop what falls outside [-before, -before + length), then zero-pad the rest.
      const start = Math.max(0, -before);
      const end = Math.min(size, length - before);
      const begin = x.shape.map((_, i) => (i === axis ? start : 0));
      const extent = x.shape.map((d, i) => (i === axis ? Math.max(0, end - start) : d));
      const cropped = ops.slice(x, begin, extent);
      const padBefore = Math.max(0, before);
      const padAfter = length - padBefore - (extent[axis] as number);
      const paddings = x.shape.map((_, i): [number, number] => (i === axis ? [padBefore, padAfter] : [0, 0]));
      return ops.pad(cropped, paddings);
    },
  };
  let result: TensorInfo | undefined;
  try {
    result = body(ops);
    // A result that aliases a kernel input needs its own reference.
    if (!owned.includes(result)) result = call('Identity', { x: result });
  } finally {
    for (const t of owned) {
      if (t !== result) backend.disposeData(t.dataId);
    }
  }
  return result as TensorInfo;
}
