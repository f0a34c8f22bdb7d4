import { describe, expect, it } from 'vitest';
import { gatherRows, gatherRowsInto, rowCentroidDistance, rowSquaredNorms, squaredDistanceRows } from './feature-matrix';

const d = 3;
const data = Float32Array.from({ length: 14 * d }, (_, e) => e * 0.5 - 7);
const m = { rows: 14, cols: d, data, squaredNorms: rowSquaredNorms(data, 14, d) };

describe('feature matrix rows', () => {
  it('gathers runs of consecutive rows and single rows alike', () => {
    // A run of 5 (one copy), single rows, a run of 2 (loop), a run of 4 at the end.
    const indices = Int32Array.from([5, 6, 7, 8, 9, 2, 11, 12, 0, 13, 10, 1, 2, 3, 4]);
    const out = new Float32Array(indices.length * d).fill(NaN);
    gatherRowsInto(m, indices, 0, indices.length, out);
    const expected = Array.from(indices).flatMap((i) => Array.from(data.subarray(i * d, (i + 1) * d)));
    expect(Array.from(out)).toEqual(expected);
    // A window of the indices, written from the start of `out`.
    const part = new Float32Array(3 * d);
    gatherRowsInto(m, indices, 3, 3, part);
    expect(Array.from(part)).toEqual(expected.slice(3 * d, 6 * d));
    const g = gatherRows(m, [13, 0, 1]);
    expect(Array.from(g.data)).toEqual([...expected.slice(9 * d, 10 * d), ...expected.slice(8 * d, 9 * d), ...expected.slice(11 * d, 12 * d)]);
    expect(Array.from(g.squaredNorms)).toEqual([m.squaredNorms[13], m.squaredNorms[0], m.squaredNorms[1]]);
  });

  it('row-to-centroid distances equal the general distance', () => {
    const centroids = Float64Array.from([0.25, -1, 3, 1e-3, 2, -2.5]);
    for (let i = 0; i < 14; i++) {
      for (let j = 0; j < 2; j++) {
        expect(rowCentroidDistance(data, i, centroids, j, d)).toBe(squaredDistanceRows(data, i, centroids, j, d));
      }
    }
  });
});
