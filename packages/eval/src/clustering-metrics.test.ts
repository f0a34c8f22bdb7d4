import { describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { clusterAccuracyReference } from '@contrastive/test-utils/reference/eval';
import {
  adjustedMutualInfo,
  adjustedRandIndex,
  clusterAccuracy,
  linearSumAssignment,
  normalizedMutualInfo,
} from './index';

// Expected values computed once with scikit-learn 1.2.1 (Debian python3-sklearn) via /usr/bin/python3:
// normalized_mutual_info_score, adjusted_mutual_info_score, adjusted_rand_score (defaults).
const D_TRUE = [4, 0, 3, 3, 3, 1, 3, 2, 4, 0, 0, 4, 2, 1, 0, 1, 1, 0, 1, 4, 3, 0, 3, 0, 2, 3, 0, 1, 3, 3, 3, 0, 1, 1, 1, 0, 2, 4, 3, 3, 2, 4, 2, 0, 0, 4, 0, 4, 1, 4, 1, 2, 2, 0, 1, 1, 1, 1, 3, 3];
const D_PRED = [6, 2, 3, 0, 6, 3, 5, 4, 1, 2, 4, 3, 4, 6, 4, 4, 3, 4, 4, 4, 0, 6, 4, 3, 2, 5, 5, 5, 0, 1, 5, 1, 3, 0, 5, 6, 0, 1, 2, 4, 2, 0, 5, 3, 2, 2, 5, 0, 5, 1, 0, 2, 2, 3, 2, 3, 2, 1, 2, 6];
const SKLEARN: [string, number[], number[], number, number, number][] = [
  ['a', [0, 0, 0, 1, 1, 1, 2, 2, 2, 2], [0, 0, 1, 1, 1, 2, 2, 2, 0, 0], 0.39464837163589433, 0.1715242354007287, 0.09090909090909091],
  ['b', [0, 0, 1, 1], [0, 0, 1, 2], 0.7999999999999999, 0.5714285714285715, 0.5714285714285714],
  ['c', [3, 3, 3, 7, 7, 1, 1, 1, 1, 5, 5, 5], [1, 1, 0, 0, 0, 2, 2, 2, 1, 3, 3, 2], 0.627606495572495, 0.3999526544122391, 0.32946298984034833],
  ['d (random, 60 samples)', D_TRUE, D_PRED, 0.11653680669911974, -0.0267617373782959, -0.019304439269886578],
];

describe('clustering metrics', () => {
  for (const [name, t, p, nmi, ami, ari] of SKLEARN) {
    it(`match scikit-learn on case ${name}`, () => {
      expect(normalizedMutualInfo(t, p)).toBeCloseTo(nmi, 12);
      expect(adjustedMutualInfo(t, p)).toBeCloseTo(ami, 12);
      expect(adjustedRandIndex(t, p)).toBeCloseTo(ari, 12);
    });
  }

  it('are 1 for identical partitions under relabelling and symmetric where defined', () => {
    const t = [0, 0, 1, 1, 2, 2, 2];
    const p = new Int32Array([5, 5, 3, 3, 9, 9, 9]);
    expect(normalizedMutualInfo(t, p)).toBeCloseTo(1, 12);
    expect(adjustedMutualInfo(t, p)).toBeCloseTo(1, 12);
    expect(adjustedRandIndex(t, p)).toBe(1);
    expect(clusterAccuracy(t, p)).toBe(1);
    expect(normalizedMutualInfo([1, 1, 1], [0, 0, 0])).toBe(1);
    expect(adjustedMutualInfo([1, 1, 1], [0, 0, 0])).toBe(1);
    expect(normalizedMutualInfo([0, 1, 0, 1], [0, 0, 1, 1])).toBe(0);
    expect(adjustedRandIndex(D_PRED, D_TRUE)).toBeCloseTo(adjustedRandIndex(D_TRUE, D_PRED), 12);
    expect(adjustedMutualInfo(D_PRED, D_TRUE)).toBeCloseTo(adjustedMutualInfo(D_TRUE, D_PRED), 12);
  });

  it('cluster accuracy equals the best permutation (brute force)', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 5; trial++) {
      const t = Array.from({ length: 40 }, () => rng.int(4));
      const p = Array.from({ length: 40 }, () => rng.int(3 + (trial % 3)));
      expect(clusterAccuracy(t, p)).toBeCloseTo(clusterAccuracyReference(t, p), 12);
    }
    expect(clusterAccuracy([0, 0, 1, 1, 2], [2, 2, 0, 0, 1])).toBe(1);
  });

  it('linearSumAssignment matches scipy.optimize.linear_sum_assignment', () => {
    // scipy 1.10 (Debian) results computed once via /usr/bin/python3.
    const square = linearSumAssignment([4, 1, 3, 2, 0, 5, 3, 2, 2], [3, 3]);
    expect(Array.from(square.colIndex)).toEqual([1, 0, 2]);
    expect(square.total).toBe(5);
    const wide = linearSumAssignment([4, 1, 3, 7, 2, 0, 5, 1, 3, 2, 2, 0], [3, 4], { maximize: true });
    expect(Array.from(wide.colIndex)).toEqual([3, 2, 0]);
    expect(wide.total).toBe(15);
    // Hand-checked: rows 0, 2, 1 take columns 0 (4), 1 (7), 2 (5).
    const tall = linearSumAssignment([4, 2, 3, 1, 0, 5, 3, 7, 2, 2, 1, 0], [4, 3], { maximize: true });
    expect(tall.total).toBe(16);
    expect(Array.from(tall.rowIndex)).toEqual([0, 1, 2]);
    expect(Array.from(tall.colIndex)).toEqual([0, 2, 1]);
    expect(tall.rowIndex.length).toBe(3);
  });

  it('rejects bad input', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', argument: 'labelsPred' }));
    expect(() => normalizedMutualInfo([0, 1.5], [0, 1])).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'labelsTrue' }));
    expect(() => linearSumAssignment([1, 2, 3], [2, 2])).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', argument: 'cost' }));
  });
});
