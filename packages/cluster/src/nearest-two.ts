/**
 * The nearest and second-nearest centroid of each row, chunked like
 * assignToCentroids: one fused matmul with bias and a top-2 per chunk. The
 * second distance seeds the lower bound of the bounded Lloyd iteration.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { chunkRows, type PreparedCentroids } from './assign-to-centroids';

export interface NearestTwo {
  assignment: Int32Array;
  /** Squared distance to the nearest centroid. */
  distances: Float32Array;
  /** Squared distance to the second-nearest centroid (Infinity when k = 1). */
  secondDistances: Float32Array;
}

export async function nearestTwo(
  features: Tensor2D,
  squaredNorms: ArrayLike<number>,
  centroids: PreparedCentroids,
  chunkElements: number,
): Promise<NearestTwo> {
  const [n, d] = features.shape;
  const assignment = new Int32Array(n);
  const distances = new Float32Array(n);
  const secondDistances = new Float32Array(n).fill(Infinity);
  const step = chunkRows(centroids.k, chunkElements);
  const top = Math.min(2, centroids.k);
  for (let start = 0; start < n; start += step) {
    const rows = Math.min(step, n - start);
    const { values, indices } = tf.tidy(() => {
      const x = rows === n ? features : tf.slice(features, [start, 0], [rows, d]);
      return tf.topk(tf.fused.matMul({ a: x, b: centroids.transposed, bias: centroids.bias }), top, true);
    });
    const [v, idx] = await Promise.all([values.data(), indices.data()]);
    tf.dispose([values, indices]);
    for (let r = 0; r < rows; r++) {
      const norm = squaredNorms[start + r]!;
      assignment[start + r] = idx[r * top]!;
      distances[start + r] = Math.max(norm - 2 * v[r * top]!, 0);
      if (top === 2) secondDistances[start + r] = Math.max(norm - 2 * v[r * top + 1]!, 0);
    }
  }
  return { assignment, distances, secondDistances };
}
