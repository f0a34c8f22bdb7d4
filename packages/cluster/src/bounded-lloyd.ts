/**
 * Lloyd iterations with Hamerly's bounds (Hamerly, SDM 2010): every row
 * keeps an upper bound u on the distance to its centroid and a lower bound
 * l on the distance to any other centroid. After centroids move by delta_j,
 * u grows by its centroid's delta and l shrinks by the largest other delta;
 * a row with u < l cannot change cluster and skips the distance matmul.
 * Only the remaining rows are gathered and scored on the device. The result
 * is the same as plain Lloyd up to float32 rounding (a small margin guards
 * the comparison); late iterations, where centroids barely move, skip most
 * rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { disposePrepared, prepareCentroids } from './assign-to-centroids';
import { squaredDistanceRows, type FeatureMatrix } from './feature-matrix';
import { nearestTwo } from './nearest-two';
import { updateCentroids, type EmptyClusterStrategy } from './update-centroids';

/** Relative slack on bound comparisons, for float32 rounding of the matmul distances. */
const BOUND_SLACK = 1e-5;

export interface LloydOptions {
  k: number;
  iterations: number;
  emptyClusters: EmptyClusterStrategy;
  chunkElements: number;
}

export interface LloydResult {
  centroids: Float64Array;
  assignment: Int32Array;
  /** Squared distance of each row to its final centroid (float64 arithmetic). */
  distances: Float32Array;
  inertia: number;
  /** M-steps run (fewer than requested after a fixed point). */
  iterations: number;
  emptyRepaired: number;
  /** Rows scored on the device per E-step, for diagnostics. */
  rowsScored: number[];
}

function squaredDistanceTo(m: FeatureMatrix, i: number, c: Float64Array, j: number): number {
  return squaredDistanceRows(m.data, i, c, j, m.cols);
}

async function scoreRows(
  x: Tensor2D | undefined,
  m: FeatureMatrix,
  rows: Int32Array | undefined,
  centroids: Float64Array,
  o: LloydOptions,
): Promise<{ assignment: Int32Array; distances: Float32Array; secondDistances: Float32Array }> {
  const prepared = prepareCentroids(centroids, o.k, m.cols);
  let gathered: Tensor2D | undefined;
  try {
    if (rows === undefined) return await nearestTwo(x!, m.squaredNorms, prepared, o.chunkElements);
    const data = new Float32Array(rows.length * m.cols);
    const norms = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r]!;
      data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
      norms[r] = m.squaredNorms[i]!;
    }
    gathered = tf.tensor2d(data, [rows.length, m.cols]);
    return await nearestTwo(gathered, norms, prepared, o.chunkElements);
  } finally {
    gathered?.dispose();
    disposePrepared(prepared);
  }
}

/** Runs bounded Lloyd from `initial` centroids on rows `m` (tensor `x` holds the same rows). */
export async function boundedLloyd(
  x: Tensor2D,
  m: FeatureMatrix,
  initial: Float64Array,
  o: LloydOptions,
): Promise<LloydResult> {
  const n = m.rows;
  const k = o.k;
  const d = m.cols;
  let centroids = initial;
  const first = await scoreRows(x, m, undefined, centroids, o);
  const assignment = first.assignment;
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    upper[i] = Math.sqrt(first.distances[i]!);
    lower[i] = Math.sqrt(first.secondDistances[i]!);
  }
  const rowsScored = [n];
  let iterations = 0;
  let emptyRepaired = 0;
  // Squared distances; exact for 'farthest-point', otherwise refreshed at the end.
  const distances = new Float32Array(first.distances);

  for (let it = 0; it < o.iterations; it++) {
    const update = updateCentroids(m, assignment, distances, k, o.emptyClusters);
    const next = update.centroids;
    emptyRepaired += update.repaired;
    iterations++;
    const delta = new Float64Array(k);
    let maxDelta = 0;
    let maxIndex = -1;
    let secondDelta = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += (next[j * d + a]! - centroids[j * d + a]!) ** 2;
      delta[j] = Math.sqrt(s);
      if (delta[j]! > maxDelta) {
        secondDelta = maxDelta;
        maxDelta = delta[j]!;
        maxIndex = j;
      } else if (delta[j]! > secondDelta) {
        secondDelta = delta[j]!;
      }
    }
    centroids = next;

    const candidates: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = assignment[i]!;
      upper[i] += delta[a]!;
      lower[i] -= a === maxIndex ? secondDelta : maxDelta;
      const slack = BOUND_SLACK * (upper[i]! + Math.max(lower[i]!, 0) + 1e-12);
      if (upper[i]! + slack < lower[i]!) continue;
      const exact = squaredDistanceTo(m, i, centroids, a);
      distances[i] = exact;
      upper[i] = Math.sqrt(exact);
      if (upper[i]! + slack < lower[i]!) continue;
      candidates.push(i);
    }
    rowsScored.push(candidates.length);
    let changed = 0;
    if (candidates.length > 0) {
      // Past half the rows, scoring all of them in place beats gathering a copy.
      const all = candidates.length * 2 > n;
      const rows = all ? Int32Array.from({ length: n }, (_, i) => i) : Int32Array.from(candidates);
      const scored = await scoreRows(all ? x : undefined, m, all ? undefined : rows, centroids, o);
      for (let r = 0; r < rows.length; r++) {
        const i = rows[r]!;
        if (scored.assignment[r] !== assignment[i]) changed++;
        assignment[i] = scored.assignment[r]!;
        distances[i] = scored.distances[r]!;
        upper[i] = Math.sqrt(scored.distances[r]!);
        lower[i] = Math.sqrt(scored.secondDistances[r]!);
      }
    }
    if (changed === 0) break;
    // 'farthest-point' repair in the next M-step reads current distances.
    if (o.emptyClusters === 'farthest-point') {
      for (let i = 0; i < n; i++) distances[i] = squaredDistanceTo(m, i, centroids, assignment[i]!);
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    distances[i] = squaredDistanceTo(m, i, centroids, assignment[i]!);
    inertia += distances[i]!;
  }
  return { centroids, assignment, distances, inertia, iterations, emptyRepaired, rowsScored };
}
