/**
 * The k-means M-step with the rows on the device: per-cluster sums and
 * counts as segment sums (tf.unsortedSegmentSum over the [N] assignment),
 * means, and the empty-cluster repairs of update-centroids.ts.
 *
 * Repairs need to know which clusters are empty; the device Lloyd loop
 * reads the number of empty clusters with its per-iteration status, and
 * only when it is non-zero does a repair read more: the counts [k]
 * (`'split-largest'`), or also the assignment and distances [N]
 * (`'farthest-point'`). The decisions (which cluster to split, which point
 * to move) are then the host path's, made on the read values; the rows
 * move on the device.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { SPLIT_EPSILON, type EmptyClusterStrategy } from './update-centroids';

/** Segment sums of an assignment: sums [k, d] and counts [k] (float32, exact below 2^24 members). */
export interface DeviceSums {
  sums: Tensor2D;
  counts: Tensor1D;
}

/** Sums and counts of `assignment` (int32 [N]) over the rows of `x` [N, d]. */
export function sumsOnDevice(x: Tensor2D, assignment: Tensor1D, k: number): DeviceSums {
  const [sums, counts] = tf.tidy(() => [
    tf.unsortedSegmentSum(x, assignment, k) as Tensor2D,
    tf.unsortedSegmentSum(tf.ones(assignment.shape), assignment, k) as Tensor1D,
  ]);
  return { sums: sums as Tensor2D, counts: counts as Tensor1D };
}

/** Number of zero counts, int32 scalar. */
export function emptyCount(counts: Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(counts, 0), 'int32')) as tf.Scalar);
}

/** Rows `rows` of `target` [k, d] replaced by `values` [rows.length, d] (a new tensor). */
function replaceRows(target: Tensor2D, rows: number[], values: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const k = target.shape[0];
    let out = target;
    rows.forEach((row, r) => {
      const mask = tf.reshape(tf.equal(tf.range(0, k, 1, 'int32'), row), [k, 1]);
      const value = tf.slice(values, [r, 0], [1, values.shape[1]]);
      out = tf.where(mask, tf.broadcastTo(value, target.shape), out) as Tensor2D;
    });
    return out === target ? tf.clone(target) : out;
  });
}

/**
 * `'split-largest'` on the host's copy of the counts: the (empty, largest)
 * pairs in the order update-centroids.ts splits them (counts are halved as
 * it goes; the largest is the first maximum).
 */
export function splitPairs(counts: Int32Array): Array<[number, number]> {
  const c = Int32Array.from(counts);
  const k = c.length;
  const pairs: Array<[number, number]> = [];
  for (let e = 0; e < k; e++) {
    if (c[e] !== 0) continue;
    let largest = 0;
    for (let j = 1; j < k; j++) if (c[j]! > c[largest]!) largest = j;
    if (c[largest]! < 2) break;
    pairs.push([e, largest]);
    const half = Math.floor(c[largest]! / 2);
    c[e] = half;
    c[largest]! -= half;
  }
  return pairs;
}

/**
 * `'farthest-point'` on read values: the (point, old cluster, empty
 * cluster) moves of update-centroids.ts, farthest points first, each
 * taken only while its cluster keeps a member. Updates `counts` in place.
 */
export function farthestMoves(
  counts: Int32Array,
  assignment: Int32Array,
  distances: Float32Array,
): Array<[number, number, number]> {
  const n = assignment.length;
  const k = counts.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => distances[b]! - distances[a]! || a - b);
  const moves: Array<[number, number, number]> = [];
  let next = 0;
  for (let c = 0; c < k && next < n; c++) {
    if (counts[c] !== 0) continue;
    let p = order[next++]!;
    while (counts[assignment[p]!]! <= 1 && next < n) p = order[next++]!;
    const old = assignment[p]!;
    if (counts[old]! <= 1) break;
    counts[old]!--;
    counts[c] = 1;
    moves.push([p, old, c]);
  }
  return moves;
}

/** What the M-step needs from the E-step before it. */
export interface MStepInput {
  x: Tensor2D;
  assignment: Tensor1D;
  /** Squared distances of `assignment` to the centroids that made it ('farthest-point' only). */
  distances?: Tensor1D;
  sums: DeviceSums;
  /** Empty clusters of `sums` (read with the previous status). */
  empty: number;
}

/**
 * New centroids [k, d] (caller disposes) from segment sums, with the
 * repairs of update-centroids.ts when `input.empty` > 0.
 */
export async function centroidsOnDevice(input: MStepInput, strategy: EmptyClusterStrategy): Promise<Tensor2D> {
  const { x, sums } = input;
  const k = sums.counts.shape[0];
  const d = x.shape[1];
  const means = (s: Tensor2D, counts: Tensor1D): Tensor2D =>
    tf.tidy(() => tf.div(s, tf.reshape(tf.maximum(counts, 1), [k, 1])) as Tensor2D);
  if (input.empty === 0) return means(sums.sums, sums.counts);
  const counts = Int32Array.from(await sums.counts.data(), Math.round);
  if (strategy === 'split-largest') {
    let centroids = means(sums.sums, sums.counts);
    const signs = tf.tensor2d(Float32Array.from({ length: d }, (_, a) => (a % 2 === 0 ? 1 : -1)), [1, d]);
    try {
      for (const [empty, largest] of splitPairs(counts)) {
        const next = tf.tidy(() => {
          const v = tf.gather(centroids, [largest]);
          const up = tf.mul(v, tf.add(1, tf.mul(signs, SPLIT_EPSILON)));
          const down = tf.mul(v, tf.sub(1, tf.mul(signs, SPLIT_EPSILON)));
          return replaceRows(centroids, [empty, largest], tf.concat([up, down]) as Tensor2D);
        });
        centroids.dispose();
        centroids = next;
      }
    } finally {
      signs.dispose();
    }
    return centroids;
  }
  const [assignment, distances] = await Promise.all([input.assignment.data(), input.distances!.data()]);
  const moves = farthestMoves(counts, assignment as Int32Array, distances as Float32Array);
  if (moves.length === 0) return means(sums.sums, sums.counts);
  return tf.tidy(() => {
    const points = tf.gather(x, moves.map(([p]) => p)) as Tensor2D;
    const olds = tf.tensor1d(moves.map(([, old]) => old), 'int32');
    // Each moved point leaves its old cluster's sum and is the whole sum of its new cluster.
    const taken = tf.sub(sums.sums, tf.unsortedSegmentSum(points, olds, k)) as Tensor2D;
    const repaired = replaceRows(taken, moves.map(([, , c]) => c), points);
    return means(repaired, tf.tensor1d(Float32Array.from(counts)));
  });
}
