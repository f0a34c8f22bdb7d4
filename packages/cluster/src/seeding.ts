/**
 * Initial centroids for k-means, computed in JavaScript on the read-back
 * feature rows.
 *
 * - `'kmeans++'` (Arthur & Vassilvitskii 2007): the first centre uniformly,
 *   each next one with probability proportional to D(x)^2, the squared
 *   distance to the nearest centre chosen so far. The triangle inequality
 *   skips points that cannot move: if ||c_near(x) - c_new||^2 >= 4 D(x)^2,
 *   then ||x - c_new|| >= D(x). This changes the cost, never the result.
 * - `'random'`: k distinct rows drawn uniformly (faiss's default).
 */
import type { Rng } from '@contrastive/core';
import { squaredDistanceRows, type FeatureMatrix } from './feature-matrix';

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

/** k-means++ seeds: a [k * d] row-major float64 array. */
export function kMeansPlusPlusSeeds(m: FeatureMatrix, k: number, rng: Rng): Float64Array {
  const { rows: n, cols: d, data } = m;
  const centres = new Float64Array(k * d);
  const minDist = new Float64Array(n);
  const nearest = new Int32Array(n);
  const centreGap = new Float64Array(k);

  const distanceTo = (i: number, j: number): number => squaredDistanceRows(data, i, centres, j, d);

  copyRow(m, rng.int(n), centres, 0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    minDist[i] = distanceTo(i, 0);
    total += minDist[i]!;
  }

  for (let j = 1; j < k; j++) {
    let pick = -1;
    if (total > 0) {
      let r = rng.next() * total;
      let lastPositive = -1;
      for (let i = 0; i < n; i++) {
        const w = minDist[i]!;
        if (w <= 0) continue;
        lastPositive = i;
        r -= w;
        if (r < 0) {
          pick = i;
          break;
        }
      }
      if (pick < 0) pick = lastPositive;
    }
    // Every point coincides with a centre: fall back to a uniform pick.
    if (pick < 0) pick = rng.int(n);
    copyRow(m, pick, centres, j);

    for (let c = 0; c < j; c++) centreGap[c] = squaredDistanceRows(centres, c, centres, j, d);
    total = 0;
    for (let i = 0; i < n; i++) {
      const current = minDist[i]!;
      if (centreGap[nearest[i]!]! < 4 * current) {
        const dist = distanceTo(i, j);
        if (dist < current) {
          minDist[i] = dist;
          nearest[i] = j;
        }
      }
      total += minDist[i]!;
    }
  }
  return centres;
}
