/**
 * `UnsortedSegmentSum` for wasm (missing from the backend; it is the gradient
 * of `tf.gather`). One XNNPACK-free but linear-time `ScatterNd`, which sums
 * duplicate indices. Ids outside `[0, numSegments)` are dropped like in
 * TensorFlow: ids are clamped to `[-1, numSegments]`, shifted by one into a
 * scatter target with two spare rows, and the spare rows are sliced off.
 */
import { UnsortedSegmentSum } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runInKernelScope } from './kernel-scope';
import type { KernelOps } from './kernel-scope';

/** `x: [...idsShape, ...rest]`, `segmentIds: idsShape` -> `[numSegments, ...rest]`. */
export function unsortedSegmentSumWasm(ops: KernelOps, x: TensorInfo, segmentIds: TensorInfo, numSegments: number): TensorInfo {
  const rank = segmentIds.shape.length;
  const rest = x.shape.slice(rank);
  const count = segmentIds.shape.reduce((a, b) => a * b, 1);
  const inner = rest.reduce((a, b) => a * b, 1);
  const scalar = (v: number): TensorInfo => ops.constant([], 'int32', Int32Array.of(v));
  const ids = ops.reshape(ops.call('Cast', { x: segmentIds }, { dtype: 'int32' }), [count]);
  const clamped = ops.call('Minimum', { a: ops.call('Maximum', { a: ids, b: scalar(-1) }), b: scalar(numSegments) });
  const shifted = ops.reshape(ops.call('Add', { a: clamped, b: scalar(1) }), [count, 1]);
  const updates = ops.reshape(x, [count, inner]);
  const scattered = ops.call('ScatterNd', { indices: shifted, updates }, { shape: [numSegments + 2, inner] });
  const kept = ops.slice(scattered, [1, 0], [numSegments, inner]);
  return ops.reshape(kept, [numSegments, ...rest]);
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  return runInKernelScope(backend, (ops) => unsortedSegmentSumWasm(ops, x, segmentIds, numSegments));
};

/** Segment sum on wasm (used by the gradient of gather). */
export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc,
};
