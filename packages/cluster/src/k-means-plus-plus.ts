/**
 * k-means++ seeding (Arthur & Vassilvitskii, SODA 2007): the first centre
 * uniformly, each next one with probability proportional to D(x)^2, the
 * squared distance to the nearest centre chosen so far.
 *
 * Exact sampling with batched distance updates. `weights` hold D(x)^2 as of
 * the last refresh; they can only be too large, never too small, since D
 * only shrinks as centres are added. A candidate is drawn from `weights`
 * (binary search in their prefix sums) and accepted with probability
 * D_now(x)^2 / weight(x), where D_now also covers the centres added since the
 * refresh (computed exactly for that one row). Each draw is then accepted with
 * probability proportional to D_now^2, which is exactly the k-means++
 * distribution (rejection sampling). A refresh scores every row against the
 * centres added since the last one with one chunked matmul [rows, d] x [d, B]
 * on the device, so the whole seeding costs about one Lloyd E-step of device
 * work instead of up to N·k·d scalar operations in JavaScript (5-7 s -> about
 * 0.5 s of CPU at 50k x 128, k = 1000 on wasm, 8 refreshes). Weights are recomputed exactly in float64
 * for rows whose nearest centre changes, so duplicates of a centre weigh 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';
import { chunkRows, disposePrepared, prepareCentroids } from './assign-to-centroids';
import { rowBlock, rowCentroidDistance, type FeatureMatrix } from './feature-matrix';
import { firstArgMax } from './first-arg-max';

/** Centres added between two refreshes at most. */
const MAX_BLOCK = 128;
/** Rejected draws for one centre before the weights are refreshed. */
const MAX_REJECTIONS = 4;

/** First index i with prefix[i] > r (prefix sums are non-decreasing). */
function upperBound(prefix: Float64Array, r: number): number {
  let lo = 0;
  let hi = prefix.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (prefix[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Seeds and, for free, the nearest seed of every row. */
export interface Seeding {
  /** [k * d] row-major float64 seeds. */
  centroids: Float64Array;
  /**
   * Int32Array [N]: the nearest seed of each row (float32 scores pick the
   * candidate, float64 distances confirm it), i.e. Lloyd's first assignment;
   * undefined when some row has no finite distance (NaN features).
   */
  assignment: Int32Array | undefined;
}

/**
 * k-means++ seeds for the read-back rows `m`. `chunkElements` bounds the
 * [rows, B] score block of a refresh.
 */
export async function kMeansPlusPlusSeeds(
  m: FeatureMatrix,
  k: number,
  rng: Rng,
  chunkElements: number,
): Promise<Seeding> {
  const { rows: n, cols: d, data, squaredNorms } = m;
  const centres = new Float64Array(k * d);
  const weights = new Float64Array(n).fill(Infinity);
  const nearest = new Int32Array(n).fill(-1);
  const prefix = new Float64Array(n);
  let total = 0;
  let refreshed = 0;

  const copyRow = (i: number, j: number): void => {
    for (let a = 0; a < d; a++) centres[j * d + a] = data[i * d + a]!;
  };

  /** Scores every row against centres [refreshed, end) and rebuilds the prefix sums. */
  const refresh = async (end: number): Promise<void> => {
    const block = end - refreshed;
    const prepared = prepareCentroids(centres.subarray(refreshed * d, end * d), block, d);
    try {
      const step = chunkRows(block, d, chunkElements);
      for (let start = 0; start < n; start += step) {
        const rows = Math.min(step, n - start);
        const [best, index] = tf.tidy(() => {
          const scores = tf.fused.matMul({ a: rowBlock(m, start, rows), b: prepared.transposed, bias: prepared.bias });
          const max = tf.max(scores, 1) as tf.Tensor1D;
          return [max, firstArgMax(scores as tf.Tensor2D, max)];
        });
        const [bestValues, indexValues] = await Promise.all([best!.data(), index!.data()]);
        tf.dispose([best!, index!]);
        for (let r = 0; r < rows; r++) {
          const i = start + r;
          // ||x - c||^2 = ||x||^2 - 2 (x.c - ||c||^2 / 2); float32, so only a hint.
          if (squaredNorms[i]! - 2 * bestValues[r]! >= weights[i]!) continue;
          const j = refreshed + indexValues[r]!;
          const exact = rowCentroidDistance(data, i, centres, j, d);
          if (exact < weights[i]!) {
            weights[i] = exact;
            nearest[i] = j;
          }
        }
      }
    } finally {
      disposePrepared(prepared);
    }
    refreshed = end;
    total = 0;
    for (let i = 0; i < n; i++) {
      total += weights[i]!;
      prefix[i] = total;
    }
  };

  copyRow(rng.int(n), 0);
  await refresh(1);
  for (let j = 1; j < k; j++) {
    let pick = -1;
    let rejections = 0;
    while (pick < 0) {
      if (!(total > 0)) {
        // Every point coincides with a centre: fall back to a uniform pick.
        pick = rng.int(n);
        break;
      }
      const i = upperBound(prefix, rng.next() * total);
      const weight = weights[i]!;
      let now = weight;
      for (let c = refreshed; c < j && now > 0; c++) now = Math.min(now, rowCentroidDistance(data, i, centres, c, d));
      if (weight > 0 && rng.next() * weight < now) {
        pick = i;
      } else if (++rejections >= MAX_REJECTIONS) {
        if (refreshed === j) {
          // The weights are current and still reject: only rounding mass is left.
          pick = rng.int(n);
        } else {
          await refresh(j);
          rejections = 0;
        }
      }
    }
    copyRow(pick, j);
    if (j + 1 - refreshed >= MAX_BLOCK && j + 1 < k) await refresh(j + 1);
  }
  // The last centres reach the weights too, so `nearest` is the first assignment.
  if (refreshed < k) await refresh(k);
  return { centroids: centres, assignment: nearest.every((j) => j >= 0) ? nearest : undefined };
}
