/**
 * k-means (Lloyd) with k-means++ or random seeding, restarts, faiss-style
 * subsampling and chunked distances.
 *
 * Per restart: seed k centroids, assign every training row to its nearest
 * centroid, then up to `iterations` rounds of (move each centroid to its
 * members' mean; repair empty clusters; reassign), stopping early when no
 * row changes cluster (a fixed point). Reassignment uses Yinyang distance
 * bounds (bounded-lloyd.ts) so that only (row, centroid group) pairs that
 * could hold a nearer centroid are rescored; the result equals plain Lloyd
 * up to float32 rounding. The restart with the lowest training inertia wins, and all N
 * rows are assigned to its centroids.
 *
 * Defaults follow PCL's faiss call (spec §2(a) E-step 3: 20 iterations,
 * nredo 5, at most 1000 points per centroid, L2 distance, centroids not
 * normalised).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertDtype,
  assertInteger,
  assertOneOf,
  assertRank,
  createRng,
  describeShape,
  type Rng,
} from '@contrastive/core';
import {
  assignPrepared,
  ASSIGN_DEFAULTS,
  disposePrepared,
  prepareCentroids,
  type Assignment,
} from './assign-to-centroids';
import { gatherRows, readFeatureMatrix, type FeatureMatrix } from './feature-matrix';
import { K_MEANS_INITS, randomSeeds, type KMeansInit } from './seeding';
import { kMeansPlusPlusSeeds } from './k-means-plus-plus';
import { EMPTY_CLUSTER_STRATEGIES, type EmptyClusterStrategy } from './update-centroids';
import { boundedLloyd } from './bounded-lloyd';
import { fitOnDevice } from './device-k-means';
import { K_MEANS_PATHS, resolvePath, type KMeansPath } from './k-means-path';

/** Options of {@link kMeans}. */
export interface KMeansOptions {
  /** Number of clusters; 1 <= k <= N. Required. */
  k: number;
  /** Maximum Lloyd iterations per restart. Default 20 (PCL / faiss niter). */
  iterations?: number;
  /** Independent runs; the lowest training inertia wins. Default 1 (PCL uses 5). */
  restarts?: number;
  /**
   * Seeding: `'kmeans++'` (default) or `'random'` (faiss), or a [k, d]
   * float32 tensor of initial centroids (borrowed; used by every restart).
   */
  init?: KMeansInit | Tensor2D;
  /** Seed of every random choice (subsample, seeding). Default 0. */
  seed?: number;
  /**
   * Fit on at most k * maxPointsPerCentroid random rows, then assign all N
   * (faiss's max_points_per_centroid; PCL sets 1000, faiss's default is 256).
   * Default 1000. Infinity fits on every row.
   */
  maxPointsPerCentroid?: number;
  /** Empty-cluster repair. Default `'split-largest'` (faiss). */
  emptyClusters?: EmptyClusterStrategy;
  /** Elements of one chunk's [rows, k] score matrix (and [rows, d] row block). Default 2^22. */
  chunkElements?: number;
  /**
   * `'device'`: every step as tensor ops on the active backend, one int32
   * pair read per iteration (device-k-means.ts); `'host'`: Yinyang-bounded
   * Lloyd in JavaScript on the rows read back once; `'auto'` (default):
   * device on webgpu, webgl and tensorflow, host on wasm and cpu
   * (k-means-path.ts).
   */
  path?: KMeansPath;
}

export const K_MEANS_DEFAULTS: Readonly<Required<Omit<KMeansOptions, 'k' | 'init'>> & { init: KMeansInit }> =
  Object.freeze({
    iterations: 20,
    restarts: 1,
    init: 'kmeans++',
    seed: 0,
    maxPointsPerCentroid: 1000,
    emptyClusters: 'split-largest',
    chunkElements: ASSIGN_DEFAULTS.chunkElements,
    path: 'auto',
  });

/**
 * Result of {@link kMeans}. `centroids` is the only tensor (owned by the
 * caller, dispose it); everything else is a typed array or a number.
 */
export interface KMeansResult {
  /** [k, d] float32 centroids, not normalised. */
  centroids: Tensor2D;
  /** Int32Array [N]: cluster of each row. */
  assignment: Int32Array;
  /** Float32Array [N]: squared Euclidean distance of each row to its centroid. */
  distances: Float32Array;
  /** Int32Array [k]: members per cluster over all N rows. */
  counts: Int32Array;
  /** Sum of `distances` (float64). */
  inertia: number;
  /** Lloyd iterations run by the winning restart. */
  iterations: number;
  /** Index of the winning restart. */
  restart: number;
  /** Empty clusters repaired during the winning restart. */
  emptyRepaired: number;
}

interface Resolved {
  k: number;
  iterations: number;
  restarts: number;
  init: KMeansInit | Float64Array;
  seed: number;
  maxPointsPerCentroid: number;
  emptyClusters: EmptyClusterStrategy;
  chunkElements: number;
  path: KMeansPath;
}

/** Options over the defaults; an explicit `undefined` keeps the default. */
type FilledOptions = Required<Omit<KMeansOptions, 'init'>> & { init: KMeansInit | Tensor2D };

function withDefaults(options: KMeansOptions): FilledOptions {
  const out: Record<string, unknown> = { ...K_MEANS_DEFAULTS };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as unknown as FilledOptions;
}

/** Validates options against `features` (metadata only). */
export function validateKMeansOptions(fn: string, features: Tensor2D, options: KMeansOptions): void {
  assertRank(fn, 'features', features, 2);
  assertDtype(fn, 'features', features, 'float32');
  const [n, d] = features.shape;
  assertInteger(fn, 'k', options.k, 1, Math.max(1, n));
  if (n < options.k) {
    throw argumentError('OUT_OF_RANGE', fn, 'k', `at most the number of rows ${n}`, String(options.k));
  }
  const o = withDefaults(options);
  assertInteger(fn, 'iterations', o.iterations, 0);
  assertInteger(fn, 'restarts', o.restarts, 1);
  assertInteger(fn, 'seed', o.seed);
  if (!(o.maxPointsPerCentroid === Infinity)) assertInteger(fn, 'maxPointsPerCentroid', o.maxPointsPerCentroid, 1);
  assertOneOf(fn, 'emptyClusters', o.emptyClusters, EMPTY_CLUSTER_STRATEGIES);
  assertInteger(fn, 'chunkElements', o.chunkElements, 1);
  assertOneOf(fn, 'path', o.path, K_MEANS_PATHS);
  if (o.init instanceof tf.Tensor) {
    assertDtype(fn, 'init', o.init, 'float32');
    if (o.init.rank !== 2 || o.init.shape[0] !== options.k || o.init.shape[1] !== d) {
      throw argumentError(
        'SHAPE_MISMATCH',
        fn,
        'init',
        `of shape [${options.k},${d}]`,
        describeShape(o.init.shape),
      );
    }
  } else {
    assertOneOf(fn, 'init', o.init, K_MEANS_INITS);
  }
}

async function resolve(options: KMeansOptions): Promise<Resolved> {
  const o = withDefaults(options);
  const init = o.init instanceof tf.Tensor ? Float64Array.from(await o.init.data()) : o.init;
  return { ...o, init };
}

interface RunResult {
  centroids: Float64Array;
  fit: Assignment;
  inertia: number;
  iterations: number;
  emptyRepaired: number;
}

async function assign(m: FeatureMatrix, centroids: Float64Array, o: Resolved): Promise<Assignment> {
  const prepared = prepareCentroids(centroids, o.k, m.cols);
  try {
    return await assignPrepared(m, prepared, o.chunkElements);
  } finally {
    disposePrepared(prepared);
  }
}

async function runOnce(m: FeatureMatrix, o: Resolved, rng: Rng): Promise<RunResult> {
  // k-means++ also returns the nearest seed of every row: Lloyd's first E-step.
  const seeding =
    typeof o.init !== 'string'
      ? { centroids: Float64Array.from(o.init), assignment: undefined }
      : o.init === 'kmeans++'
        ? await kMeansPlusPlusSeeds(m, o.k, rng, o.chunkElements)
        : { centroids: randomSeeds(m, o.k, rng), assignment: undefined };
  const run = await boundedLloyd(m, seeding.centroids, o, seeding.assignment);
  return {
    centroids: run.centroids,
    fit: { assignment: run.assignment, distances: run.distances },
    inertia: run.inertia,
    iterations: run.iterations,
    emptyRepaired: run.emptyRepaired,
  };
}

function sum(values: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

function countMembers(assignment: Int32Array, k: number): Int32Array {
  const counts = new Int32Array(k);
  for (let i = 0; i < assignment.length; i++) counts[assignment[i]!]!++;
  return counts;
}

/**
 * Fits k-means on read-back rows `m` (validated options). Shared by
 * {@link kMeans} and kMeansMulti so the rows are read once.
 */
export async function fitKMeans(m: FeatureMatrix, options: KMeansOptions): Promise<KMeansResult> {
  const o = await resolve(options);
  const rng = createRng(o.seed);
  const limit = o.k * o.maxPointsPerCentroid;
  const subsampled = m.rows > limit;
  const trainRows = subsampled ? gatherRows(m, rng.sampleWithoutReplacement(m.rows, limit).sort()) : m;
  let best: RunResult | undefined;
  let bestRestart = 0;
  for (let r = 0; r < o.restarts; r++) {
    const run = await runOnce(trainRows, o, rng.fork());
    if (best === undefined || run.inertia < best.inertia) {
      best = run;
      bestRestart = r;
    }
  }
  const winner = best!;
  const all = subsampled ? await assign(m, winner.centroids, o) : winner.fit;
  return {
    centroids: tf.tensor2d(Float32Array.from(winner.centroids), [o.k, m.cols]),
    assignment: all.assignment,
    distances: all.distances,
    counts: countMembers(all.assignment, o.k),
    inertia: sum(all.distances),
    iterations: winner.iterations,
    restart: bestRestart,
    emptyRepaired: winner.emptyRepaired,
  };
}

/**
 * k-means on the rows of `features` ([N, d] float32, borrowed).
 *
 * Returns the [k, d] centroids as a tensor (caller disposes) and the
 * assignment, squared distances and counts as typed arrays (see
 * {@link KMeansResult}). Memory on the device: the features (borrowed),
 * the centroids and one [chunkRows, k] score block with its [chunkRows, d]
 * row block; in JavaScript: one read-back copy of the rows (N*d float32)
 * for seeding, chunk uploads and the M-step, a second one sorted by
 * centroid group for the bounded E-steps, plus the Yinyang bounds
 * (N x groups float64, at most 64 MB).
 *
 * @example
 * const { centroids, assignment, inertia } = await kMeans(features, { k: 100, seed: 1 });
 * centroids.dispose();
 */
export async function kMeans(features: Tensor2D, options: KMeansOptions): Promise<KMeansResult> {
  validateKMeansOptions('kMeans', features, options);
  if (usesDevicePath(options)) return fitKMeansOnDevice(features, options);
  const m = await readFeatureMatrix(features);
  return fitKMeans(m, options);
}

/** Whether `options` (validated) run on the device path on the active backend. */
export function usesDevicePath(options: KMeansOptions): boolean {
  return resolvePath(withDefaults(options).path) === 'device';
}

/** k-means on the device path (device-k-means.ts) with validated options. */
export async function fitKMeansOnDevice(features: Tensor2D, options: KMeansOptions): Promise<KMeansResult> {
  const { path: _, ...o } = withDefaults(options);
  const fit = await fitOnDevice(features, o);
  return { ...fit, counts: countMembers(fit.assignment, o.k) };
}
