/**
 * Seeding methods of k-means: `'kmeans++'` (Arthur & Vassilvitskii 2007,
 * k-means-plus-plus.ts) and `'random'`, k distinct rows drawn uniformly
 * (faiss's default), here.
 */
import type { Rng } from '@contrastive/core';
import type { FeatureMatrix } from './feature-matrix';

export type KMeansInit = 'kmeans++' | 'random';
export const K_MEANS_INITS: readonly KMeansInit[] = ['kmeans++', 'random'];

function copyRow(m: FeatureMatrix, i: number, out: Float64Array, j: number): void {
  const d = m.cols;
  for (let a = 0; a < d; a++) out[j * d + a] = m.data[i * d + a]!;
}

/** k distinct rows chosen uniformly: a [k * d] row-major float64 array. */
export function randomSeeds(m: FeatureMatrix, k: number, rng: Rng): Float64Array {
  const out = new Float64Array(k * m.cols);
  const picks = rng.sampleWithoutReplacement(m.rows, k);
  for (let j = 0; j < k; j++) copyRow(m, picks[j]!, out, j);
  return out;
}
