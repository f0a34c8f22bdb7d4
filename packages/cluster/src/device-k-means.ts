/**
 * k-means with the rows on the device (the path for webgpu, webgl and
 * tensorflow; see k-means-path.ts): every step is tensor ops, and per Lloyd
 * iteration the host reads one int32 pair, [rows that changed cluster,
 * empty clusters], for the fixed-point stop and the repairs.
 *
 * Per restart: seed (device-seeding.ts), assign (device-assign.ts), then up
 * to `iterations` rounds of M-step (segment sums and means,
 * device-repair.ts) and reassignment, stopping at the first round that
 * changes no row, like the host path (bounded-lloyd.ts). The result is
 * plain Lloyd's up to float32 rounding: the sums are float32 here (float64
 * on the host), so centroids agree to float32 rounding and assignments
 * agree except for rows whose two nearest centroids are that close.
 * Extra reads: one float32 scalar (the inertia) per restart, the counts
 * (and for 'farthest-point' the assignment and distances) in an iteration
 * that repairs empty clusters, and the final assignment and distances [N].
 *
 * Device memory: the features (borrowed), their [N] squared norms, a
 * training subsample when one is drawn (k * maxPointsPerCentroid rows),
 * two [N] int32 assignments, [k, d] centroids, sums and c^T, and one
 * [chunkRows, k] score block.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '@contrastive/core';
import { assignOnDevice, disposeDeviceCentroids, prepareOnDevice, squaredDistancesOnDevice } from './device-assign';
import { centroidsOnDevice, emptyCount, sumsOnDevice, type DeviceSums } from './device-repair';
import { kMeansPlusPlusOnDevice, randomSeedsOnDevice } from './device-seeding';
import type { KMeansInit } from './seeding';
import type { EmptyClusterStrategy } from './update-centroids';

/** Options of a device fit (kMeans's, resolved). */
export interface DeviceFitOptions {
  k: number;
  iterations: number;
  restarts: number;
  init: KMeansInit | Tensor2D;
  seed: number;
  maxPointsPerCentroid: number;
  emptyClusters: EmptyClusterStrategy;
  chunkElements: number;
}

/** A finished device fit, before the final read. */
export interface DeviceRun {
  centroids: Tensor2D;
  assignment: Tensor1D;
  distances: Tensor1D;
  inertia: number;
  iterations: number;
  emptyRepaired: number;
}

function disposeRun(r: DeviceRun): void {
  tf.dispose([r.centroids, r.assignment, r.distances]);
}

function assignWith(x: Tensor2D, centroids: Tensor2D, chunkElements: number): Tensor1D {
  const prepared = prepareOnDevice(centroids);
  try {
    return assignOnDevice(x, prepared, chunkElements);
  } finally {
    disposeDeviceCentroids(prepared);
  }
}

/** Reads [changed rows, empty clusters] of a reassignment: the one host read of an iteration. */
async function readStatus(previous: Tensor1D | undefined, next: Tensor1D, counts: Tensor1D): Promise<[number, number]> {
  const status = tf.tidy(() =>
    tf.stack([
      previous === undefined ? tf.scalar(0, 'int32') : tf.sum(tf.cast(tf.notEqual(previous, next), 'int32')),
      emptyCount(counts),
    ]),
  );
  try {
    const [changed, empty] = await status.data();
    return [changed!, empty!];
  } finally {
    status.dispose();
  }
}

/**
 * Lloyd from `initial` ([k, d], owned: disposed or returned) on the rows
 * `x` ([n, d], borrowed).
 */
export async function deviceLloyd(
  x: Tensor2D,
  initial: Tensor2D,
  o: Pick<DeviceFitOptions, 'k' | 'iterations' | 'emptyClusters' | 'chunkElements'>,
): Promise<DeviceRun> {
  const farthest = o.emptyClusters === 'farthest-point';
  let centroids = initial;
  let assignment = assignWith(x, centroids, o.chunkElements);
  let sums: DeviceSums | undefined;
  let distances: Tensor1D | undefined;
  let iterations = 0;
  let emptyRepaired = 0;
  try {
    sums = sumsOnDevice(x, assignment, o.k);
    let [, empty] = await readStatus(undefined, assignment, sums.counts);
    for (let it = 0; it < o.iterations; it++) {
      if (farthest && empty > 0) distances = squaredDistancesOnDevice(x, centroids, assignment, o.chunkElements);
      const next = await centroidsOnDevice({ x, assignment, sums, empty, ...(distances ? { distances } : {}) }, o.emptyClusters);
      distances?.dispose();
      distances = undefined;
      emptyRepaired += empty;
      iterations++;
      centroids.dispose();
      centroids = next;
      const reassigned = assignWith(x, centroids, o.chunkElements);
      tf.dispose([sums.sums, sums.counts]);
      sums = sumsOnDevice(x, reassigned, o.k);
      const [changed, nextEmpty] = await readStatus(assignment, reassigned, sums.counts);
      assignment.dispose();
      assignment = reassigned;
      empty = nextEmpty;
      if (changed === 0) break;
    }
    const final = squaredDistancesOnDevice(x, centroids, assignment, o.chunkElements);
    const total = tf.tidy(() => tf.sum(final));
    const inertia = (await total.data())[0]!;
    total.dispose();
    return { centroids, assignment, distances: final, inertia, iterations, emptyRepaired };
  } catch (error) {
    tf.dispose([centroids, assignment]);
    throw error;
  } finally {
    if (sums !== undefined) tf.dispose([sums.sums, sums.counts]);
    distances?.dispose();
  }
}

function seedsOf(x: Tensor2D, norms: Tensor1D | undefined, o: DeviceFitOptions, rng: Rng): Tensor2D {
  if (o.init instanceof tf.Tensor) return tf.clone(o.init);
  if (o.init === 'random') return randomSeedsOnDevice(x, o.k, rng);
  return kMeansPlusPlusOnDevice(x, norms!, o.k, rng);
}

/** The final result's host part: assignment and distances read once, counts and inertia from them. */
export interface DeviceFit {
  centroids: Tensor2D;
  assignment: Int32Array;
  distances: Float32Array;
  inertia: number;
  iterations: number;
  restart: number;
  emptyRepaired: number;
}

/**
 * k-means on `features` ([N, d] float32, borrowed) with every step on the
 * device. The random choices (subsample, random seeds, restart forks) are
 * the host path's, so with `init: 'random'` or a tensor both paths start
 * from the same centroids.
 */
export async function fitOnDevice(features: Tensor2D, o: DeviceFitOptions): Promise<DeviceFit> {
  const n = features.shape[0];
  const rng = createRng(o.seed);
  const limit = o.k * o.maxPointsPerCentroid;
  const subsampled = n > limit;
  const train = subsampled
    ? tf.tidy(() => tf.gather(features, tf.tensor1d(Int32Array.from(rng.sampleWithoutReplacement(n, limit).sort()), 'int32')) as Tensor2D)
    : features;
  const norms = o.init === 'kmeans++' ? tf.tidy(() => tf.sum(tf.square(train), 1) as Tensor1D) : undefined;
  let best: DeviceRun | undefined;
  let bestRestart = 0;
  try {
    for (let r = 0; r < o.restarts; r++) {
      const run = await deviceLloyd(train, seedsOf(train, norms, o, rng.fork()), o);
      if (best === undefined || run.inertia < best.inertia) {
        if (best !== undefined) disposeRun(best);
        best = run;
        bestRestart = r;
      } else {
        disposeRun(run);
      }
    }
    const winner = best!;
    let assignmentT = winner.assignment;
    let distancesT = winner.distances;
    if (subsampled) {
      assignmentT = assignWith(features, winner.centroids, o.chunkElements);
      distancesT = squaredDistancesOnDevice(features, winner.centroids, assignmentT, o.chunkElements);
    }
    const [assignment, distances] = await Promise.all([assignmentT.data(), distancesT.data()]);
    if (subsampled) tf.dispose([assignmentT, distancesT]);
    tf.dispose([winner.assignment, winner.distances]);
    const out = Float32Array.from(distances as Float32Array);
    let inertia = 0;
    for (let i = 0; i < out.length; i++) inertia += out[i]!;
    best = undefined;
    return {
      centroids: winner.centroids,
      assignment: Int32Array.from(assignment as Int32Array),
      distances: out,
      inertia,
      iterations: winner.iterations,
      restart: bestRestart,
      emptyRepaired: winner.emptyRepaired,
    };
  } finally {
    if (best !== undefined) disposeRun(best);
    if (subsampled) train.dispose();
    norms?.dispose();
  }
}
