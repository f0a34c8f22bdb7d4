import { describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { groupCentroids } from './centroid-groups';

describe('groupCentroids', () => {
  it('partitions the centroids, sorted by group, and keeps far clusters apart', () => {
    const rng = createRng(2);
    const far = [[0, 0, 0], [100, 0, 0], [0, 100, 0]];
    const k = 30;
    const c = new Float64Array(k * 3);
    for (let j = 0; j < k; j++) for (let a = 0; a < 3; a++) c[j * 3 + a] = far[j % 3]![a]! + rng.normal();
    const g = groupCentroids(c, k, 3, 3);
    expect(g.count).toBe(3);
    expect(Array.from(g.order).sort((a, b) => a - b)).toEqual(Array.from({ length: k }, (_, j) => j));
    expect(g.start[0]).toBe(0);
    expect(g.start[g.count]).toBe(k);
    for (let s = 0; s < g.count; s++) {
      const members = Array.from(g.order.subarray(g.start[s]!, g.start[s + 1]!));
      expect(members.every((j) => g.groupOf[j] === s)).toBe(true);
      expect(new Set(members.map((j) => j % 3)).size).toBe(1);
    }
  });

  it('clamps the group count to [1, k]', () => {
    const c = Float64Array.from([0, 1, 2, 3, 4]);
    expect(groupCentroids(c, 5, 1, 0).count).toBe(1);
    expect(groupCentroids(c, 5, 1, 50).count).toBe(5);
  });
});
