/**
 * Groups of centroids for Yinyang k-means (Ding et al., ICML 2015): the k
 * initial centroids clustered into about k/20 groups by a few Lloyd steps
 * in float64 JavaScript (k * groups * d per step: 6.4M multiply-adds at
 * k = 1000, d = 128, 50 groups). Groups are fixed for the whole run; any
 * grouping gives exact results, a good one just filters more.
 */
import { squaredDistanceRows } from './feature-matrix';

export interface CentroidGroups {
  /** Number of non-empty groups. */
  readonly count: number;
  /** Group of each centroid, [k]. */
  readonly groupOf: Int32Array;
  /** Centroid indices sorted by group, [k]; group g is order[start[g]] .. order[start[g + 1] - 1]. */
  readonly order: Int32Array;
  /** Offsets into `order`, [count + 1]. */
  readonly start: Int32Array;
  /** Position of each centroid within its group, [k]: order[start[groupOf[j]] + columnOf[j]] = j. */
  readonly columnOf: Int32Array;
}

/** Lloyd steps of the grouping (Yinyang uses 5). */
const GROUPING_STEPS = 5;

/**
 * Groups the rows of `centroids` ([k * d] row-major) into at most `target`
 * groups (at least 1), deterministically: the seeds are centroids
 * floor(g * k / target).
 */
export function groupCentroids(centroids: Float64Array, k: number, d: number, target: number): CentroidGroups {
  const g0 = Math.max(1, Math.min(k, Math.floor(target)));
  let centres = new Float64Array(g0 * d);
  for (let g = 0; g < g0; g++) centres.set(centroids.subarray(Math.floor((g * k) / g0) * d, (Math.floor((g * k) / g0) + 1) * d), g * d);
  const label = new Int32Array(k);
  for (let step = 0; step <= GROUPING_STEPS && g0 > 1; step++) {
    for (let j = 0; j < k; j++) {
      let best = 0;
      let bestDist = Infinity;
      for (let g = 0; g < g0; g++) {
        const dist = squaredDistanceRows(centroids, j, centres, g, d);
        if (dist < bestDist) {
          bestDist = dist;
          best = g;
        }
      }
      label[j] = best;
    }
    if (step === GROUPING_STEPS) break;
    const sums = new Float64Array(g0 * d);
    const counts = new Int32Array(g0);
    for (let j = 0; j < k; j++) {
      counts[label[j]!]!++;
      for (let a = 0; a < d; a++) sums[label[j]! * d + a] += centroids[j * d + a]!;
    }
    const next = new Float64Array(g0 * d);
    for (let g = 0; g < g0; g++) {
      for (let a = 0; a < d; a++) next[g * d + a] = counts[g]! > 0 ? sums[g * d + a]! / counts[g]! : centres[g * d + a]!;
    }
    centres = next;
  }
  // Renumber the non-empty groups 0..count-1 and sort the centroids by group.
  const sizes = new Int32Array(g0);
  for (let j = 0; j < k; j++) sizes[label[j]!]!++;
  const renumber = new Int32Array(g0).fill(-1);
  let count = 0;
  for (let g = 0; g < g0; g++) if (sizes[g]! > 0) renumber[g] = count++;
  const groupOf = new Int32Array(k);
  const start = new Int32Array(count + 1);
  for (let j = 0; j < k; j++) {
    groupOf[j] = renumber[label[j]!]!;
    start[groupOf[j]! + 1]!++;
  }
  for (let g = 0; g < count; g++) start[g + 1]! += start[g]!;
  const fill = Int32Array.from(start.subarray(0, count));
  const order = new Int32Array(k);
  const columnOf = new Int32Array(k);
  for (let j = 0; j < k; j++) {
    const g = groupOf[j]!;
    columnOf[j] = fill[g]! - start[g]!;
    order[fill[g]!++] = j;
  }
  return { count, groupOf, order, start, columnOf };
}
