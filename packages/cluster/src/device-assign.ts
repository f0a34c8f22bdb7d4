/**
 * The k-means E-step with the rows on the device: nearest centroid of every
 * row as tensor ops, chunked over rows so the [N, k] score matrix never
 * exists, and nothing read back.
 *
 * Math as in assign-to-centroids.ts: argmin_j ||x - c_j||^2 =
 * argmax_j (x . c_j - ||c_j||^2 / 2), one fused matmul with a bias per row
 * chunk, then the first maximum of each row (first-arg-max.ts: ties to the
 * lowest centroid index on every backend). The chunks' int32 winners are
 * concatenated into one [N] tensor on the device.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { chunkRows } from './assign-to-centroids';
import { firstArgMax } from './first-arg-max';

/** Centroids prepared on the device: c^T [d, k] and -||c||^2 / 2 [k]. */
export interface DeviceCentroids {
  readonly k: number;
  readonly transposed: Tensor2D;
  readonly bias: Tensor1D;
}

/** c^T and the bias of `centroids` ([k, d], borrowed), computed on the device. */
export function prepareOnDevice(centroids: Tensor2D): DeviceCentroids {
  const [transposed, bias] = tf.tidy(() => [
    tf.transpose(centroids) as Tensor2D,
    tf.mul(tf.sum(tf.square(centroids), 1), -0.5) as Tensor1D,
  ]);
  return { k: centroids.shape[0], transposed: transposed!, bias: bias! };
}

export function disposeDeviceCentroids(c: DeviceCentroids): void {
  c.transposed.dispose();
  c.bias.dispose();
}

/** Row ranges [start, start + rows) of at most chunkRows(k, d, chunkElements) rows. */
export function rowChunks(n: number, k: number, d: number, chunkElements: number): Array<[number, number]> {
  const step = chunkRows(k, d, chunkElements);
  const out: Array<[number, number]> = [];
  for (let start = 0; start < n; start += step) out.push([start, Math.min(step, n - start)]);
  return out;
}

/**
 * Nearest centroid of every row of `x` ([N, d] float32, borrowed): int32
 * [N] on the device (caller disposes). Device memory: one [chunkRows, k]
 * score block (plus, off cpu and wasm, first-arg-max's int32 block of the
 * same size) at a time, and the [N] result.
 */
export function assignOnDevice(x: Tensor2D, centroids: DeviceCentroids, chunkElements: number): Tensor1D {
  const [n, d] = x.shape;
  const parts: Tensor1D[] = [];
  try {
    for (const [start, rows] of rowChunks(n, centroids.k, d, chunkElements)) {
      parts.push(
        tf.tidy(() => {
          const block = rows === n ? x : tf.slice(x, [start, 0], [rows, d]);
          const scores = tf.fused.matMul({ a: block, b: centroids.transposed, bias: centroids.bias }) as Tensor2D;
          return firstArgMax(scores, tf.max(scores, 1) as Tensor1D);
        }),
      );
    }
    return parts.length === 1 ? parts[0]! : (tf.concat(parts) as Tensor1D);
  } finally {
    if (parts.length > 1) tf.dispose(parts);
  }
}

/**
 * Squared distance of every row of `x` ([N, d]) to its centroid
 * (`assignment` int32 [N] into `centroids` [k, d]) as ||x - c_a||^2 summed
 * over d, not from the score (whose ||x||^2 - 2 s cancels for tight
 * clusters): float32 [N] on the device, computed in chunks of
 * chunkElements / d rows.
 */
export function squaredDistancesOnDevice(
  x: Tensor2D,
  centroids: Tensor2D,
  assignment: Tensor1D,
  chunkElements: number,
): Tensor1D {
  const [n, d] = x.shape;
  const parts: Tensor1D[] = [];
  try {
    for (const [start, rows] of rowChunks(n, 1, d, chunkElements)) {
      parts.push(
        tf.tidy(() => {
          const whole = rows === n;
          const block = whole ? x : tf.slice(x, [start, 0], [rows, d]);
          const ids = whole ? assignment : tf.slice(assignment, [start], [rows]);
          return tf.sum(tf.squaredDifference(block, tf.gather(centroids, ids)), 1) as Tensor1D;
        }),
      );
    }
    return parts.length === 1 ? parts[0]! : (tf.concat(parts) as Tensor1D);
  } finally {
    if (parts.length > 1) tf.dispose(parts);
  }
}
