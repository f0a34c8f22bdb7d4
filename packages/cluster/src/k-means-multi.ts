/**
 * Several clusterings of the same features, one per k: PCL's E-step runs
 * k-means for every granularity k_m with seed m (spec §2(a) E-step 3).
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError, assertInteger } from '@contrastive/core';
import { readFeatureMatrix } from './feature-matrix';
import {
  fitKMeans,
  fitKMeansOnDevice,
  usesDevicePath,
  validateKMeansOptions,
  type KMeansOptions,
  type KMeansResult,
} from './k-means';

/** Options of {@link kMeansMulti}: those of kMeans with a list of k. */
export interface KMeansMultiOptions extends Omit<KMeansOptions, 'k' | 'init'> {
  /** Number of clusters of each clustering, e.g. PCL's [25000, 50000, 100000]. */
  ks: readonly number[];
  /** Seeding method (tensors are not accepted here). Default `'kmeans++'`. */
  init?: 'kmeans++' | 'random';
}

/**
 * Runs k-means once per entry of `ks` on `features` ([N, d] float32,
 * borrowed): on the device path (k-means-path.ts) the rows stay on the
 * device, on the host path they are read back only once. Clustering m uses seed
 * `seed + m` (PCL: seed = m). Returns one {@link KMeansResult} per k, in
 * order; the caller disposes every `centroids`.
 *
 * @example
 * const results = await kMeansMulti(features, { ks: [10, 20, 40], restarts: 5 });
 */
export async function kMeansMulti(
  features: Tensor2D,
  options: KMeansMultiOptions,
): Promise<KMeansResult[]> {
  const fn = 'kMeansMulti';
  const { ks, seed = 0, ...rest } = options;
  if (!Array.isArray(ks) || ks.length === 0) {
    throw argumentError('INVALID_ARGUMENT', fn, 'ks', 'a non-empty array of integers', String(ks));
  }
  assertInteger(fn, 'seed', seed);
  for (const k of ks) validateKMeansOptions(fn, features, { ...rest, k, seed });
  // The device path leaves the rows where they are; the host path reads them once for every k.
  const device = usesDevicePath({ ...rest, k: ks[0]! });
  const m = device ? undefined : await readFeatureMatrix(features);
  const results: KMeansResult[] = [];
  try {
    for (let i = 0; i < ks.length; i++) {
      const o = { ...rest, k: ks[i]!, seed: seed + i };
      results.push(m === undefined ? await fitKMeansOnDevice(features, o) : await fitKMeans(m, o));
    }
  } catch (error) {
    for (const r of results) r.centroids.dispose();
    throw error;
  }
  return results;
}
