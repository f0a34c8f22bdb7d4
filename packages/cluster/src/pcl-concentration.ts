/**
 * PCL concentration estimates phi (Li et al., ICLR 2021; salesforce/PCL
 * main_pcl.py), spec §2(a) E-step steps 4-7, in float64.
 *
 * 4. phi_c = mean_{z in c} ||v'_z - c||_2 / log(Z + alpha) for clusters with
 *    Z > 1 members (Euclidean, not squared, distance to the unnormalised
 *    centroid).
 * 5. Clusters with Z <= 1 get the maximum phi of step 4.
 * 6. Clamp to [P10, P90] over all clusters (numpy linear percentiles).
 * 7. Rescale so that mean(phi) = temperature.
 * (Step 8, normalising the centroids, is in {@link pclPrototypes}.)
 *
 * Guards (no case in the PCL code): when no cluster has two members, or all
 * phi are 0, every phi equals `temperature`.
 */
import {
  argumentError,
  assertInRange,
  assertInteger,
  assertPositive,
  describeShape,
} from '@contrastive/core';
import { percentile } from './percentile';

/** Options of {@link pclConcentration}. */
export interface PclConcentrationOptions {
  /** Number of clusters k (ids 0..k-1). Required. */
  numClusters: number;
  /** Target mean of phi, the instance temperature tau. Default 0.2 (PCL README). */
  temperature?: number;
  /** alpha in log(Z + alpha). Default 10 (PCL main_pcl.py). */
  alpha?: number;
  /** Lower clamp percentile. Default 10 (PCL). */
  lowerPercentile?: number;
  /** Upper clamp percentile. Default 90 (PCL). */
  upperPercentile?: number;
}

export const PCL_CONCENTRATION_DEFAULTS = Object.freeze({
  temperature: 0.2,
  alpha: 10,
  lowerPercentile: 10,
  upperPercentile: 90,
});

/**
 * Steps 4-5: raw phi per cluster from the assignment (Int32Array [N]) and
 * the squared distances to the assigned centroid ([N], as kMeans returns).
 * Returns Float64Array [numClusters].
 */
export function pclRawConcentration(
  assignment: ArrayLike<number>,
  squaredDistances: ArrayLike<number>,
  options: { numClusters: number; alpha?: number },
): Float64Array {
  const fn = 'pclRawConcentration';
  const { numClusters: k, alpha = PCL_CONCENTRATION_DEFAULTS.alpha } = options;
  assertInteger(fn, 'numClusters', k, 1);
  assertPositive(fn, 'alpha', alpha);
  if (assignment.length !== squaredDistances.length) {
    throw argumentError(
      'SHAPE_MISMATCH',
      fn,
      'squaredDistances',
      `of length ${assignment.length} like 'assignment'`,
      describeShape([squaredDistances.length]),
    );
  }
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  for (let i = 0; i < assignment.length; i++) {
    const c = assignment[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      throw argumentError('OUT_OF_RANGE', fn, 'assignment', `ids in [0, ${k - 1}]`, `${c} at index ${i}`);
    }
    sums[c] += Math.sqrt(Math.max(squaredDistances[i]!, 0));
    counts[c]++;
  }
  const phi = new Float64Array(k);
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    const z = counts[c]!;
    if (z > 1) {
      phi[c] = sums[c]! / z / Math.log(z + alpha);
      max = Math.max(max, phi[c]!);
    }
  }
  if (max === -Infinity) return phi.fill(NaN);
  for (let c = 0; c < k; c++) if (counts[c]! <= 1) phi[c] = max;
  return phi;
}

/**
 * Steps 6-7: clamp raw phi to its [lower, upper] percentiles, then scale to
 * mean `temperature`. Returns a new Float64Array.
 */
export function pclScaleConcentration(
  rawPhi: ArrayLike<number>,
  options: Omit<PclConcentrationOptions, 'numClusters' | 'alpha'> = {},
): Float64Array {
  const fn = 'pclScaleConcentration';
  const o = { ...PCL_CONCENTRATION_DEFAULTS, ...options };
  assertPositive(fn, 'temperature', o.temperature);
  assertInRange(fn, 'lowerPercentile', o.lowerPercentile, { min: 0, max: 100 });
  assertInRange(fn, 'upperPercentile', o.upperPercentile, { min: o.lowerPercentile, max: 100 });
  if (rawPhi.length === 0) {
    throw argumentError('INVALID_ARGUMENT', fn, 'rawPhi', 'non-empty', 'an empty array');
  }
  const out = new Float64Array(rawPhi.length);
  if (Array.prototype.some.call(rawPhi, (v: number) => Number.isNaN(v))) return out.fill(o.temperature);
  const lo = percentile(rawPhi, o.lowerPercentile);
  const hi = percentile(rawPhi, o.upperPercentile);
  let total = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = Math.min(Math.max(rawPhi[c]!, lo), hi);
    total += out[c]!;
  }
  const mean = total / out.length;
  if (!(mean > 0)) return out.fill(o.temperature);
  for (let c = 0; c < out.length; c++) out[c] = (o.temperature * out[c]!) / mean;
  return out;
}

/**
 * PCL concentration phi of every cluster, spec §2(a) steps 4-7, from an
 * assignment (length N, ids in [0, numClusters)) and the squared distances
 * of each point to its (unnormalised) centroid. Returns Float64Array [k];
 * its mean equals `temperature`.
 *
 * @example
 * const km = await kMeans(features, { k: 100 });
 * const phi = pclConcentration(km.assignment, km.distances, { numClusters: 100, temperature: 0.2 });
 */
export function pclConcentration(
  assignment: ArrayLike<number>,
  squaredDistances: ArrayLike<number>,
  options: PclConcentrationOptions,
): Float64Array {
  const raw = pclRawConcentration(assignment, squaredDistances, options);
  return pclScaleConcentration(raw, options);
}
