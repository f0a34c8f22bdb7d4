/**
 * Nearest-centroid assignment in row chunks: the k-means E-step.
 *
 * Math: argmin_j ||x - c_j||^2 = argmax_j (x . c_j - ||c_j||^2 / 2), so each
 * chunk is one fused matmul with a bias followed by a max and an argmax over
 * [chunkRows, k]; the full N x k distance matrix never exists. The squared
 * distance is then ||x||^2 - 2 * max, clamped at 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import {
  assertDtype,
  assertInteger,
  assertNonEmpty,
  assertRank,
  argumentError,
  describeShape,
} from '@contrastive/core';
import { readFeatureMatrix, rowBlock, type FeatureMatrix } from './feature-matrix';
import { firstArgMax } from './first-arg-max';
import { assignOnDevice, disposeDeviceCentroids, prepareOnDevice, squaredDistancesOnDevice } from './device-assign';
import { resolvePath } from './k-means-path';

/** Options of {@link assignToCentroids}. */
export interface AssignOptions {
  /**
   * Upper bound on the elements of one chunk's score matrix (chunkRows x k)
   * and of its row block (chunkRows x d).
   * Default 2^22 (16 MB of float32): 4194 rows at k = 1000, 419 at k = 10,000.
   */
  chunkElements?: number;
}

export const ASSIGN_DEFAULTS: Readonly<Required<AssignOptions>> = Object.freeze({
  chunkElements: 1 << 22,
});

/** Result of an assignment: typed arrays of length N. */
export interface Assignment {
  /** Index of the nearest centroid of each row (int32). */
  assignment: Int32Array;
  /** Squared Euclidean distance of each row to its nearest centroid. */
  distances: Float32Array;
}

/** Centroids prepared for repeated assignment: c^T [d, k] and -||c||^2/2 [k]. */
export interface PreparedCentroids {
  readonly k: number;
  readonly transposed: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
}

/**
 * Uploads row-major centroids as c^T and the bias. c^T is built in JavaScript
 * because tfjs-wasm's matMul with transposeB is about 10x slower than with a
 * pre-transposed operand. With `rows`, column j is centroid rows[j] (k =
 * rows.length), otherwise centroid j.
 */
export function prepareCentroids(
  centroids: Float32Array | Float64Array,
  k: number,
  d: number,
  rows?: ArrayLike<number>,
): PreparedCentroids {
  const t = new Float32Array(d * k);
  const bias = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    const base = (rows === undefined ? j : rows[j]!) * d;
    let s = 0;
    for (let a = 0; a < d; a++) {
      const v = centroids[base + a]!;
      t[a * k + j] = v;
      s += v * v;
    }
    bias[j] = -0.5 * s;
  }
  return { k, transposed: tf.tensor2d(t, [d, k]), bias: tf.tensor1d(bias) };
}

export function disposePrepared(p: PreparedCentroids): void {
  p.transposed.dispose();
  p.bias.dispose();
}

/**
 * Rows per chunk so that both the [rows, k] score block and the [rows, d]
 * row block have at most chunkElements elements (at least 1 row).
 */
export function chunkRows(k: number, d: number, chunkElements: number): number {
  return Math.max(1, Math.floor(chunkElements / Math.max(k, d)));
}

/**
 * Assigns every row of the read-back matrix `m` to its nearest centroid,
 * given as a prepared c^T.
 */
export async function assignPrepared(
  m: FeatureMatrix,
  centroids: PreparedCentroids,
  chunkElements: number,
): Promise<Assignment> {
  const n = m.rows;
  const assignment = new Int32Array(n);
  const distances = new Float32Array(n);
  const step = chunkRows(centroids.k, m.cols, chunkElements);
  for (let start = 0; start < n; start += step) {
    const rows = Math.min(step, n - start);
    const [index, best] = tf.tidy(() => {
      const scores = tf.fused.matMul({ a: rowBlock(m, start, rows), b: centroids.transposed, bias: centroids.bias });
      const max = tf.max(scores, 1) as tf.Tensor1D;
      return [firstArgMax(scores as tf.Tensor2D, max), max];
    });
    const [indexValues, bestValues] = await Promise.all([index!.data(), best!.data()]);
    index!.dispose();
    best!.dispose();
    assignment.set(indexValues as Int32Array, start);
    for (let r = 0; r < rows; r++) {
      const dist = m.squaredNorms[start + r]! - 2 * bestValues[r]!;
      distances[start + r] = dist > 0 ? dist : 0;
    }
  }
  return { assignment, distances };
}

/**
 * Nearest centroid of each row of `features`.
 *
 * Shapes: features [N, d] float32, centroids [k, d] float32. Returns typed
 * arrays (no tensors): `assignment` Int32Array [N], `distances` Float32Array
 * [N] of squared Euclidean distances. Memory: one [chunkRows, k] score matrix
 * and one [chunkRows, d] row block at a time on the device. Where k-means
 * takes the device path (webgpu, webgl, tensorflow; k-means-path.ts) the
 * rows stay on the device and only the two results are read; elsewhere the
 * features are read back once (N*d float32) and uploaded in chunks. Ties go
 * to the lowest centroid index.
 */
export async function assignToCentroids(
  features: Tensor2D,
  centroids: Tensor2D,
  options: AssignOptions = {},
): Promise<Assignment> {
  const fn = 'assignToCentroids';
  const { chunkElements } = { ...ASSIGN_DEFAULTS, ...options };
  assertRank(fn, 'features', features, 2);
  assertRank(fn, 'centroids', centroids, 2);
  assertDtype(fn, 'features', features, 'float32');
  assertDtype(fn, 'centroids', centroids, 'float32');
  assertNonEmpty(fn, 'centroids', centroids);
  assertInteger(fn, 'chunkElements', chunkElements, 1);
  if (centroids.shape[1] !== features.shape[1]) {
    throw argumentError(
      'SHAPE_MISMATCH',
      fn,
      'centroids',
      `of shape [*,${features.shape[1]}] to match 'features' ${describeShape(features.shape)}`,
      describeShape(centroids.shape),
    );
  }
  const d = features.shape[1];
  const k = centroids.shape[0];
  if (resolvePath('auto') === 'device') return assignWithDevice(features, centroids, chunkElements);
  const m = await readFeatureMatrix(features);
  const c = Float32Array.from(await centroids.data());
  const prepared = prepareCentroids(c, k, d);
  try {
    return await assignPrepared(m, prepared, chunkElements);
  } finally {
    disposePrepared(prepared);
  }
}

/** assignToCentroids with the rows on the device: two reads, the assignment and the distances. */
async function assignWithDevice(features: Tensor2D, centroids: Tensor2D, chunkElements: number): Promise<Assignment> {
  const prepared = prepareOnDevice(centroids);
  let assignment: tf.Tensor1D | undefined;
  let distances: tf.Tensor1D | undefined;
  try {
    assignment = assignOnDevice(features, prepared, chunkElements);
    distances = squaredDistancesOnDevice(features, centroids, assignment, chunkElements);
    const [a, dist] = await Promise.all([assignment.data(), distances.data()]);
    return { assignment: Int32Array.from(a as Int32Array), distances: Float32Array.from(dist as Float32Array) };
  } finally {
    disposeDeviceCentroids(prepared);
    tf.dispose([...(assignment ? [assignment] : []), ...(distances ? [distances] : [])]);
  }
}
