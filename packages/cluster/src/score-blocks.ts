/**
 * Raw score blocks: rows of `m` against prepared centroids, one chunk at a
 * time, read back whole. Score s_rj = x_r . c_j - ||c_j||^2 / 2, so
 * ||x_r - c_j||^2 = ||x_r||^2 - 2 s_rj. Used where JavaScript needs more
 * than the argmax of a row (group minima of the Yinyang bounds).
 */
import * as tf from '@tensorflow/tfjs-core';
import { chunkRows, type PreparedCentroids } from './assign-to-centroids';
import { rowBlock, type FeatureMatrix } from './feature-matrix';

/**
 * Calls `visit(start, rows, scores)` for consecutive row chunks of `m`;
 * `scores` is the row-major [rows, k] block (valid only during the call).
 */
export async function forEachScoreBlock(
  m: FeatureMatrix,
  centroids: PreparedCentroids,
  chunkElements: number,
  visit: (start: number, rows: number, scores: Float32Array) => void,
): Promise<void> {
  const n = m.rows;
  const step = chunkRows(centroids.k, m.cols, chunkElements);
  for (let start = 0; start < n; start += step) {
    const rows = Math.min(step, n - start);
    const scores = tf.tidy(() =>
      tf.fused.matMul({ a: rowBlock(m, start, rows), b: centroids.transposed, bias: centroids.bias }),
    );
    try {
      visit(start, rows, (await scores.data()) as Float32Array);
    } finally {
      scores.dispose();
    }
  }
}
