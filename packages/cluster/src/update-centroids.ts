/**
 * The k-means M-step in JavaScript float64: each centroid becomes the mean of
 * its members, then empty clusters are repaired.
 *
 * Accumulating in JavaScript from the read-back rows costs N*d additions
 * once, far less than the N*k*d of the assignment matmul, and needs no
 * UnsortedSegmentSum kernel (which tfjs-wasm lacks); a one-hot matmul on the
 * device would cost as much as the assignment itself. Lloyd then keeps the
 * sums running: a row that changes cluster costs 2d additions (moveRow).
 *
 * Empty clusters:
 * - `'split-largest'` (default; faiss's strategy, used by PCL): the empty
 *   centroid takes a copy of the largest cluster's centroid, and the two
 *   copies are pushed apart by a relative 1/1024 with alternating signs per
 *   dimension; the pair shares the larger cluster's members for the
 *   count bookkeeping. faiss picks the cluster to split at random with
 *   probability proportional to its size; we take the largest, which is
 *   deterministic. A split centroid equal to zero stays zero.
 * - `'farthest-point'` (scikit-learn's strategy): each empty centroid moves
 *   to one of the points farthest from their current centroid, and that point
 *   leaves its old cluster's mean.
 */
import type { FeatureMatrix } from './feature-matrix';

export type EmptyClusterStrategy = 'split-largest' | 'farthest-point';
export const EMPTY_CLUSTER_STRATEGIES: readonly EmptyClusterStrategy[] = [
  'split-largest',
  'farthest-point',
];

/** Relative perturbation of a split (faiss's EPS = 1/1024). */
export const SPLIT_EPSILON = 1 / 1024;

export interface UpdateResult {
  /** New centroids, [k * d] row-major float64. */
  centroids: Float64Array;
  /** Members per cluster after the repair's bookkeeping. */
  counts: Int32Array;
  /** Number of empty clusters that were repaired. */
  repaired: number;
}

/** Per-cluster float64 sums of the member rows [k * d] and member counts [k]. */
export interface ClusterSums {
  readonly sums: Float64Array;
  readonly counts: Int32Array;
}

/** Sums and counts of an assignment (N*d additions). */
export function clusterSums(m: FeatureMatrix, assignment: Int32Array, k: number): ClusterSums {
  const { rows: n, cols: d, data } = m;
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = assignment[i]!;
    counts[c]!++;
    const cb = c * d;
    const xb = i * d;
    for (let a = 0; a < d; a++) sums[cb + a] += data[xb + a]!;
  }
  return { sums, counts };
}

/** Moves row `i` from cluster `from` to cluster `to` in running sums (2d additions). */
export function moveRow(s: ClusterSums, m: FeatureMatrix, i: number, from: number, to: number): void {
  const d = m.cols;
  const xb = i * d;
  const fb = from * d;
  const tb = to * d;
  for (let a = 0; a < d; a++) {
    const v = m.data[xb + a]!;
    s.sums[fb + a] -= v;
    s.sums[tb + a] += v;
  }
  s.counts[from]!--;
  s.counts[to]!++;
}

/**
 * New centroids from an assignment (`distances` are the squared distances of
 * the same assignment, used by `'farthest-point'`). `running`, when given,
 * holds the sums and counts of that assignment (kept up to date with
 * {@link moveRow}, so the N*d pass is skipped); it is not modified.
 * `rowIds`, when given, are the rows' indices in the caller's input (Lloyd
 * reorders the rows), which break ties between equally far points. Needs
 * N >= k, which kMeans checks, so every empty cluster can be repaired.
 */
export function updateCentroids(
  m: FeatureMatrix,
  assignment: Int32Array,
  distances: Float32Array,
  k: number,
  strategy: EmptyClusterStrategy,
  running?: ClusterSums,
  rowIds?: Int32Array,
): UpdateResult {
  const { rows: n, cols: d, data } = m;
  // The repairs below edit sums and counts: running ones are copied.
  const { sums, counts } =
    running === undefined
      ? clusterSums(m, assignment, k)
      : { sums: Float64Array.from(running.sums), counts: Int32Array.from(running.counts) };
  let empty = 0;
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty++;

  if (empty > 0 && strategy === 'farthest-point') {
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => distances[b]! - distances[a]! || (rowIds === undefined ? a - b : rowIds[a]! - rowIds[b]!),
    );
    let next = 0;
    for (let c = 0; c < k && next < n; c++) {
      if (counts[c] !== 0) continue;
      // Take the farthest point whose cluster keeps at least one member.
      let p = order[next++]!;
      while (counts[assignment[p]!]! <= 1 && next < n) p = order[next++]!;
      const old = assignment[p]!;
      if (counts[old]! <= 1) break;
      counts[old]!--;
      counts[c] = 1;
      for (let a = 0; a < d; a++) {
        const v = data[p * d + a]!;
        sums[old * d + a] -= v;
        sums[c * d + a] = v;
      }
    }
  }

  const centroids = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const count = counts[c]!;
    if (count === 0) continue;
    for (let a = 0; a < d; a++) centroids[c * d + a] = sums[c * d + a]! / count;
  }

  if (empty > 0 && strategy === 'split-largest') {
    for (let c = 0; c < k; c++) {
      if (counts[c] !== 0) continue;
      let largest = 0;
      for (let j = 1; j < k; j++) if (counts[j]! > counts[largest]!) largest = j;
      if (counts[largest]! < 2) break;
      for (let a = 0; a < d; a++) {
        const v = centroids[largest * d + a]!;
        const sign = a % 2 === 0 ? 1 : -1;
        centroids[c * d + a] = v * (1 + sign * SPLIT_EPSILON);
        centroids[largest * d + a] = v * (1 - sign * SPLIT_EPSILON);
      }
      const half = Math.floor(counts[largest]! / 2);
      counts[c] = half;
      counts[largest]! -= half;
    }
  }
  return { centroids, counts, repaired: empty };
}
