/**
 * Normalised and adjusted mutual information between two labelings, with
 * scikit-learn's arithmetic (sklearn.metrics normalized_mutual_info_score and
 * adjusted_mutual_info_score, average_method 'arithmetic', natural logs).
 *
 * MI = sum_ij (n_ij / N) log(N n_ij / (a_i b_j)).
 * NMI = MI / mean(H(true), H(pred)).
 * AMI = (MI - E[MI]) / (mean(H(true), H(pred)) - E[MI]), with E[MI] the
 * expected mutual information under the hypergeometric model of random
 * labelings with the same marginals (Vinh, Epps & Bailey, JMLR 2010).
 * Both are 1 when each labeling has a single identical cluster.
 */
import { contingency, entropyOfCounts, type Contingency } from './contingency';

const EPS = 2.220446049250313e-16;

function mutualInformation(c: Contingency): number {
  if (c.rows === 1 || c.cols === 1) return 0;
  let mi = 0;
  for (let i = 0; i < c.rows; i++) {
    for (let j = 0; j < c.cols; j++) {
      const nij = c.counts[i * c.cols + j]!;
      if (nij === 0) continue;
      const term = (nij / c.n) * Math.log((c.n * nij) / (c.rowSums[i]! * c.colSums[j]!));
      if (Math.abs(term) >= EPS) mi += term;
    }
  }
  return Math.max(mi, 0);
}

/** log(m!) for m = 0..n, accumulated in float64. */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let m = 2; m <= n; m++) out[m] = out[m - 1]! + Math.log(m);
  return out;
}

/** Expected mutual information of random labelings with the marginals of `c`. */
export function expectedMutualInformation(c: Contingency): number {
  const { n, rowSums: a, colSums: b } = c;
  const lf = logFactorials(n);
  let emi = 0;
  for (let i = 0; i < c.rows; i++) {
    const ai = a[i]!;
    for (let j = 0; j < c.cols; j++) {
      const bj = b[j]!;
      const start = Math.max(1, ai + bj - n);
      const end = Math.min(ai, bj);
      // Probability of n_ij under the hypergeometric distribution, in logs.
      const base = lf[ai]! + lf[bj]! + lf[n - ai]! + lf[n - bj]! - lf[n]!;
      for (let nij = start; nij <= end; nij++) {
        const logP = base - lf[nij]! - lf[ai - nij]! - lf[bj - nij]! - lf[n - ai - bj + nij]!;
        emi += (nij / n) * Math.log((n * nij) / (ai * bj)) * Math.exp(logP);
      }
    }
  }
  return emi;
}

function singleCluster(c: Contingency): boolean {
  return (c.rows === 1 && c.cols === 1) || c.n === 0;
}

/**
 * Normalised mutual information in [0, 1] (arithmetic mean of the entropies).
 *
 * @example
 * normalizedMutualInfo([0, 0, 1, 1], [1, 1, 0, 0]); // 1
 */
export function normalizedMutualInfo(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const c = contingency('normalizedMutualInfo', labelsTrue, labelsPred);
  if (singleCluster(c)) return 1;
  const mi = mutualInformation(c);
  if (mi === 0) return 0;
  const normalizer = (entropyOfCounts(c.rowSums, c.n) + entropyOfCounts(c.colSums, c.n)) / 2;
  return mi / Math.max(normalizer, EPS);
}

/**
 * Adjusted mutual information: 0 in expectation for random labelings, 1 for
 * identical ones (up to relabelling).
 *
 * @example
 * adjustedMutualInfo([0, 0, 1, 1], [0, 0, 1, 1]); // 1
 */
export function adjustedMutualInfo(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const c = contingency('adjustedMutualInfo', labelsTrue, labelsPred);
  if (singleCluster(c)) return 1;
  const mi = mutualInformation(c);
  const emi = expectedMutualInformation(c);
  const normalizer = (entropyOfCounts(c.rowSums, c.n) + entropyOfCounts(c.colSums, c.n)) / 2;
  let denominator = normalizer - emi;
  denominator = denominator < 0 ? Math.min(denominator, -EPS) : Math.max(denominator, EPS);
  return (mi - emi) / denominator;
}
