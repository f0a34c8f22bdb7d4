import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { randomMatrix, useBackend } from '@contrastive/test-utils';
import { assignReference } from '@contrastive/test-utils/reference/cluster';
import { rowSquaredNorms, type FeatureMatrix } from './feature-matrix';
import { kMeansPlusPlusSeeds } from './k-means-plus-plus';

beforeAll(async () => {
  await useBackend('cpu');
});

function matrix(values: ArrayLike<number>, cols: number): FeatureMatrix {
  const data = Float32Array.from(values);
  const rows = data.length / cols;
  return { rows, cols, data, squaredNorms: rowSquaredNorms(data, rows, cols) };
}

/** Row index of each seed (seeds are copies of rows). */
function seedRows(m: FeatureMatrix, seeds: Float64Array): number[] {
  const out: number[] = [];
  for (let j = 0; j < seeds.length / m.cols; j++) {
    let found = -1;
    for (let i = 0; i < m.rows && found < 0; i++) {
      let same = true;
      for (let a = 0; a < m.cols && same; a++) same = m.data[i * m.cols + a] === seeds[j * m.cols + a];
      if (same) found = i;
    }
    out.push(found);
  }
  return out;
}

describe('kMeansPlusPlusSeeds', () => {
  it('draws each centre with probability proportional to D(x)^2, also between refreshes', async () => {
    // 1-d points; the third centre is drawn from stale weights with rejection.
    const x = [0, 1, 3, 7, 15];
    const m = matrix(x, 1);
    const runs = 2000;
    const counts = [new Array<number>(5).fill(0), new Array<number>(5).fill(0), new Array<number>(5).fill(0)];
    for (let s = 0; s < runs; s++) {
      const rows = seedRows(m, (await kMeansPlusPlusSeeds(m, 3, createRng(s), 1 << 22)).centroids);
      rows.forEach((r, j) => counts[j]![r]!++);
    }
    // Exact marginals of the first, second and third pick.
    const expected = [new Array<number>(5).fill(0.2), new Array<number>(5).fill(0), new Array<number>(5).fill(0)];
    for (let i = 0; i < 5; i++) {
      const w1 = x.map((v) => (v - x[i]!) ** 2);
      const s1 = w1.reduce((a, b) => a + b, 0);
      for (let j = 0; j < 5; j++) {
        const pj = w1[j]! / s1 / 5;
        expected[1]![j]! += pj;
        const w2 = x.map((v) => Math.min((v - x[i]!) ** 2, (v - x[j]!) ** 2));
        const s2 = w2.reduce((a, b) => a + b, 0);
        if (pj > 0) for (let l = 0; l < 5; l++) expected[2]![l]! += (pj * w2[l]!) / s2;
      }
    }
    for (let j = 0; j < 3; j++) {
      for (let l = 0; l < 5; l++) expect(Math.abs(counts[j]![l]! / runs - expected[j]![l]!)).toBeLessThan(0.04);
    }
  });

  it('never picks a duplicate of a chosen centre and ends when only duplicates are left', async () => {
    const distinct = [[0, 0], [5, 1], [-3, 4], [8, -8], [1, 9]];
    const m = matrix(Array.from({ length: 100 }, (_, i) => distinct[i % 5]!).flat(), 2);
    for (let s = 0; s < 10; s++) {
      const rows = seedRows(m, (await kMeansPlusPlusSeeds(m, 5, createRng(s), 1 << 22)).centroids);
      expect(new Set(rows.map((r) => r % 5)).size).toBe(5);
    }
    const more = seedRows(m, (await kMeansPlusPlusSeeds(m, 7, createRng(1), 1 << 22)).centroids);
    expect(more.every((r) => r >= 0)).toBe(true);
    expect(new Set(more.slice(0, 5).map((r) => r % 5)).size).toBe(5);
  });

  it('gives k distinct rows past several refresh blocks, independent of the chunk size', async () => {
    const m = matrix(randomMatrix(4, 300, 4).data, 4);
    const whole = await kMeansPlusPlusSeeds(m, 150, createRng(7), 1 << 22);
    const chunked = await kMeansPlusPlusSeeds(m, 150, createRng(7), 50);
    const rows = seedRows(m, whole.centroids);
    expect(rows.every((r) => r >= 0)).toBe(true);
    expect(new Set(rows).size).toBe(150);
    expect(Array.from(chunked.centroids)).toEqual(Array.from(whole.centroids));
    // The returned assignment is the nearest seed of every row.
    const seeds = { rows: 150, cols: 4, data: whole.centroids };
    const x = { rows: m.rows, cols: 4, data: Float64Array.from(m.data) };
    expect(Array.from(whole.assignment ?? [])).toEqual(assignReference(x, seeds).assignment);
    expect(Array.from(chunked.assignment ?? [])).toEqual(Array.from(whole.assignment ?? []));
  });
});
