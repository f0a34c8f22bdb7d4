/**
 * Adjusted Rand index (Hubert & Arabie 1985) from the pair confusion matrix,
 * as scikit-learn's adjusted_rand_score computes it:
 * ARI = 2 (tp tn - fn fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn)),
 * where pairs are counted as ordered pairs of distinct samples.
 */
import { contingency } from './contingency';

/**
 * ARI in [-0.5, 1]; 1 for identical partitions, about 0 for random ones.
 *
 * @example
 * adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]); // 0.571...
 */
export function adjustedRandIndex(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const c = contingency('adjustedRandIndex', labelsTrue, labelsPred);
  const n = c.n;
  let sumSquares = 0;
  for (const v of c.counts) sumSquares += v * v;
  let rowTerm = 0;
  for (const v of c.rowSums) rowTerm += v * v;
  let colTerm = 0;
  for (const v of c.colSums) colTerm += v * v;
  const tp = sumSquares - n;
  const fp = colTerm - sumSquares; // same cluster, different class
  const fn = rowTerm - sumSquares; // same class, different cluster
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
