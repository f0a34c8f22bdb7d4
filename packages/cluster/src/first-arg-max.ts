/**
 * Row-wise argmax with ties to the lowest column, on every backend.
 *
 * tfjs does not specify which index ArgMax returns for tied maxima. The cpu
 * and wasm kernels scan each row in order and keep the first; webgpu's
 * reduction (rows of 32 or more columns) splits a row over 64 threads, each
 * striding through the columns, and merges their winners pairwise, so for
 * exact ties (duplicate centroids, duplicate seeds) it can return a later
 * column, and k-means would then assign rows differently than on cpu. Where
 * the kernel is not known to scan, the first maximum is found explicitly:
 * the smallest column whose score equals the row maximum.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';

/** Backends whose ArgMax kernel keeps the first maximum of a row (a sequential scan). */
const FIRST_MAX_ARGMAX = new Set(['cpu', 'wasm']);

/**
 * Index of the first maximum of every row of `scores` [rows, k], int32
 * [rows]; `max` is `tf.max(scores, 1)` (computed by the caller anyway). A row
 * without a comparable maximum (NaN) gets 0, as the scanning kernels give.
 * Call inside `tf.tidy`.
 */
export function firstArgMax(scores: Tensor2D, max: Tensor1D): Tensor1D {
  if (FIRST_MAX_ARGMAX.has(tf.getBackend())) return tf.argMax(scores, 1) as Tensor1D;
  const [rows, k] = scores.shape;
  const columns = tf.broadcastTo(tf.range(0, k, 1, 'int32'), [rows, k]);
  const hits = tf.equal(scores, tf.reshape(max, [rows, 1]));
  const first = tf.min(tf.where(hits, columns, tf.fill([rows, k], k, 'int32')), 1) as Tensor1D;
  return tf.where(tf.less(first, k), first, tf.zerosLike(first)) as Tensor1D;
}
