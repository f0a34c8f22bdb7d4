/**
 * Raw score blocks: rows against prepared centroids, one block at a time,
 * read into JavaScript (without a copy on wasm, read-block.ts). Score
 * s_rj = x_r . c_j - ||c_j||^2 / 2, so ||x_r - c_j||^2 = ||x_r||^2 - 2 s_rj.
 * Used where JavaScript needs more than the argmax of a row (group maxima
 * of the Yinyang bounds).
 */
import * as tf from '@tensorflow/tfjs-core';
import { chunkRows, type PreparedCentroids } from './assign-to-centroids';
import { gatherRowsInto, rowBlock, type FeatureMatrix } from './feature-matrix';
import { readBlock } from './read-block';

/**
 * Elements of one host-path score block at most (4 MB of float32), below
 * `chunkElements`' default of 2^22: the block stays in cache while the
 * matmul writes it and JavaScript scans it. On one wasm thread at d = 128
 * the matmul ran at ~26 GFLOP per CPU second with 512-1024-row blocks at
 * k = 1000 against ~17-21 with 4096 rows (tools/bench kmeans-faiss case).
 */
export const HOST_BLOCK_ELEMENTS = 1 << 20;

/** Rows per host-path score block for k centroids of dimension d. */
export function hostBlockRows(k: number, d: number, chunkElements: number): number {
  return chunkRows(k, d, Math.min(chunkElements, HOST_BLOCK_ELEMENTS));
}

/** Called with the first row of a block, its row count and its row-major [rows, k] scores (valid only during the call). */
export type VisitBlock = (start: number, rows: number, scores: Float32Array) => void;

/** Scores one block and hands it to `visit`; `a` is the [rows, d] block (disposed here). */
async function scoreBlock(
  a: tf.Tensor2D,
  centroids: PreparedCentroids,
  start: number,
  rows: number,
  visit: VisitBlock,
): Promise<void> {
  let scores: tf.Tensor | undefined;
  try {
    scores = tf.fused.matMul({ a, b: centroids.transposed, bias: centroids.bias });
    visit(start, rows, await readBlock(scores));
  } finally {
    tf.dispose([a, ...(scores === undefined ? [] : [scores])]);
  }
}

/**
 * Calls `visit(start, rows, scores)` for consecutive blocks of `blockRows`
 * rows of `m`, each uploaded from the read-back copy.
 */
export async function forEachScoreBlock(
  m: FeatureMatrix,
  centroids: PreparedCentroids,
  blockRows: number,
  visit: VisitBlock,
): Promise<void> {
  const n = m.rows;
  for (let start = 0; start < n; start += blockRows) {
    const rows = Math.min(blockRows, n - start);
    await scoreBlock(rowBlock(m, start, rows), centroids, start, rows, visit);
  }
}

/**
 * Like {@link forEachScoreBlock} for the rows `indices` of `m` (`start`
 * counts positions in `indices`): each block is gathered into `scratch`
 * (reused, at least blockRows * d long) by a plain loop and uploaded.
 */
export async function forEachGatheredScoreBlock(
  m: FeatureMatrix,
  indices: Int32Array,
  centroids: PreparedCentroids,
  blockRows: number,
  scratch: Float32Array,
  visit: VisitBlock,
): Promise<void> {
  const n = indices.length;
  const d = m.cols;
  for (let start = 0; start < n; start += blockRows) {
    const rows = Math.min(blockRows, n - start);
    gatherRowsInto(m, indices, start, rows, scratch);
    await scoreBlock(tf.tensor2d(scratch.subarray(0, rows * d), [rows, d]), centroids, start, rows, visit);
  }
}
