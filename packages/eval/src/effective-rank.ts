/**
 * Effective rank of a feature matrix (Roy & Vetterli, EUSIPCO 2007; used as
 * RankMe by Garrido et al., ICML 2023): with singular values sigma_k of the
 * [N, d] features, p_k = sigma_k / sum(sigma), erank = exp(-sum p_k log p_k).
 * It lies in [1, min(N, d)]; it is min(N, d) when all singular values are
 * equal and 1 for a rank-one matrix.
 *
 * Method: the Gram matrix X^T X (or X X^T when N < d) accumulated in float64
 * in JavaScript from one read-back, its eigenvalues by Householder + QL
 * (symmetricEigenvalues), sigma = sqrt(max(lambda, 0)). Cost N d^2 / 2 for
 * the Gram plus O(d^3): fine up to d of a few hundred at N = 50k, and d up
 * to ~2048 for a few thousand rows.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { assertDtype, assertNonEmpty, assertRank } from '@contrastive/core';
import { symmetricEigenvalues } from './symmetric-eigenvalues';

export interface EffectiveRankOptions {
  /** Subtract the column means first (rank of the covariance). Default false (RankMe). */
  center?: boolean;
}

/** Gram matrix of the rows (transposeRows: X X^T) or of the columns (X^T X), float64. */
function gram(x: Float64Array, n: number, d: number, ofRows: boolean): { g: Float64Array; size: number } {
  const size = ofRows ? n : d;
  const g = new Float64Array(size * size);
  if (ofRows) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += x[i * d + a]! * x[j * d + a]!;
        g[i * n + j] = s;
        g[j * n + i] = s;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      const base = i * d;
      for (let a = 0; a < d; a++) {
        const xa = x[base + a]!;
        if (xa === 0) continue;
        const rowBase = a * d;
        for (let b = 0; b <= a; b++) g[rowBase + b] += xa * x[base + b]!;
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) g[b * d + a] = g[a * d + b]!;
  }
  return { g, size };
}

/** Effective rank from singular values (any order). */
export function effectiveRankOfSpectrum(singularValues: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < singularValues.length; i++) total += Math.max(singularValues[i]!, 0);
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < singularValues.length; i++) {
    const p = Math.max(singularValues[i]!, 0) / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return Math.exp(h);
}

/**
 * Effective rank of `features` ([N, d] float32, borrowed; read back once).
 * Returns 0 for an all-zero matrix.
 *
 * @example
 * const erank = await effectiveRank(embeddings); // between 1 and min(N, d)
 */
export async function effectiveRank(features: Tensor2D, options: EffectiveRankOptions = {}): Promise<number> {
  const fn = 'effectiveRank';
  assertRank(fn, 'features', features, 2);
  assertDtype(fn, 'features', features, 'float32');
  assertNonEmpty(fn, 'features', features);
  const [n, d] = features.shape;
  const x = Float64Array.from(await features.data());
  if (options.center === true) {
    for (let a = 0; a < d; a++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += x[i * d + a]!;
      mean /= n;
      for (let i = 0; i < n; i++) x[i * d + a] -= mean;
    }
  }
  const { g, size } = gram(x, n, d, n < d);
  const eigenvalues = symmetricEigenvalues(g, size);
  // Eigenvalues within rounding of zero (size * eps * lambda_max) count as 0.
  const floor = size * 2.220446049250313e-16 * Math.max(eigenvalues[0] ?? 0, 0);
  return effectiveRankOfSpectrum(eigenvalues.map((l) => (l > floor ? Math.sqrt(l) : 0)));
}
