/**
 * Contingency table of two labelings, the input of every clustering metric.
 * Labels are any integers >= 0; only the distinct values matter.
 */
import { argumentError } from '@contrastive/core';
import { toIntLabels } from './label-array';

export interface Contingency {
  /** Distinct true labels (rows) and predicted labels (columns). */
  rows: number;
  cols: number;
  /** counts[i * cols + j]: samples with the i-th true and j-th predicted label. */
  counts: Float64Array;
  /** Row sums a_i and column sums b_j. */
  rowSums: Float64Array;
  colSums: Float64Array;
  /** Number of samples. */
  n: number;
}

function compact(labels: Int32Array): { ids: Int32Array; count: number } {
  const map = new Map<number, number>();
  const sorted = Array.from(new Set(labels)).sort((a, b) => a - b);
  sorted.forEach((v, i) => map.set(v, i));
  return { ids: labels.map((v) => map.get(v)!), count: sorted.length };
}

/** Builds the contingency table; throws unless both labelings have the same length. */
export function contingency(fn: string, labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): Contingency {
  if (labelsTrue.length !== labelsPred.length) {
    throw argumentError(
      'SHAPE_MISMATCH',
      fn,
      'labelsPred',
      `of length ${labelsTrue.length} like 'labelsTrue'`,
      String(labelsPred.length),
    );
  }
  const t = compact(toIntLabels(fn, 'labelsTrue', labelsTrue));
  const p = compact(toIntLabels(fn, 'labelsPred', labelsPred));
  const counts = new Float64Array(t.count * p.count);
  const rowSums = new Float64Array(t.count);
  const colSums = new Float64Array(p.count);
  for (let i = 0; i < t.ids.length; i++) {
    counts[t.ids[i]! * p.count + p.ids[i]!]++;
    rowSums[t.ids[i]!]++;
    colSums[p.ids[i]!]++;
  }
  return { rows: t.count, cols: p.count, counts, rowSums, colSums, n: t.ids.length };
}

/** Shannon entropy (nats) of a distribution given by counts summing to n. */
export function entropyOfCounts(counts: Float64Array, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}
