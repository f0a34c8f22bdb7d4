/**
 * Clustering accuracy: the fraction of samples whose cluster maps to their
 * class under the best one-to-one mapping of clusters to classes, found with
 * the Hungarian algorithm on the contingency table (the usual unsupervised
 * "ACC" of deep-clustering papers). With more clusters than classes the
 * unmatched clusters count as errors.
 */
import { contingency } from './contingency';
import { linearSumAssignment } from './linear-sum-assignment';

/**
 * @example
 * clusterAccuracy([0, 0, 1, 1, 2], [2, 2, 0, 0, 1]); // 1
 */
export function clusterAccuracy(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const c = contingency('clusterAccuracy', labelsTrue, labelsPred);
  if (c.n === 0) return 1;
  const { total } = linearSumAssignment(c.counts, [c.rows, c.cols], { maximize: true });
  return total / c.n;
}
