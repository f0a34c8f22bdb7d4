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
 * Elements of one host-path score block (4 MB of float32), below
 * `chunkElements`' default of 2^22, so the block stays in cache while the
 * matmul writes it and JavaScript scans it; but at least
 * {@link MIN_HOST_BLOCK_ROWS} rows. Measured on one wasm thread at d = 128
 * (GFLOP per CPU second of matmul plus a scan of the block, loaded
 * machine): k = 1000: 26 with 512-1024 rows, 19-24 with 2048-4096; k =
 * 10,000: 18 with 128 rows, 28 with 256, 22-23 with 512-1024.
 */
export const HOST_BLOCK_ELEMENTS = 1 << 20;
/** Fewer rows per block make the matmul slower (see above). */
export const MIN_HOST_BLOCK_ROWS = 256;

/**
 * Rows per host-path score block for k centroids of dimension d: about
 * HOST_BLOCK_ELEMENTS / k, at least MIN_HOST_BLOCK_ROWS, never more than
 * `chunkElements` allows.
 */
export function hostBlockRows(k: number, d: number, chunkElements: number): number {
  const cached = Math.max(MIN_HOST_BLOCK_ROWS, chunkRows(k, d, HOST_BLOCK_ELEMENTS));
  return Math.min(chunkRows(k, d, chunkElements), cached);
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
