/**
 * The q-th percentile with linear interpolation between closest ranks
 * (numpy's default `method='linear'`): position (n - 1) * q / 100 in the
 * sorted values.
 */
import { argumentError, assertInRange } from '@contrastive/core';

export function percentile(values: ArrayLike<number>, q: number): number {
  assertInRange('percentile', 'q', q, { min: 0, max: 100 });
  if (values.length === 0) {
    throw argumentError('INVALID_ARGUMENT', 'percentile', 'values', 'non-empty', 'an empty array');
  }
  const sorted = Float64Array.from(values).sort();
  const position = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const frac = position - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}
