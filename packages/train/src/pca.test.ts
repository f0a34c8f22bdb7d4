import { describe, expect, it } from 'vitest';
import { createRng, isContrastiveError } from '@contrastive/core';
import { expectClose } from '@contrastive/test-utils';
import { pca2d } from './index';

/** Sample covariance (divisor n − 1) of row-major data. */
function covariance(x: number[], n: number, d: number): number[][] {
  const mean = Array.from({ length: d }, (_, c) => x.filter((_, i) => i % d === c).reduce((a, b) => a + b, 0) / n);
  return Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      let s = 0;
      for (let r = 0; r < n; r++) s += (x[r * d + i]! - mean[i]!) * (x[r * d + j]! - mean[j]!);
      return s / (n - 1);
    }),
  );
}
const mv = (m: number[][], v: ArrayLike<number>): number[] => m.map((row) => row.reduce((s, a, j) => s + a * v[j]!, 0));

describe('pca2d', () => {
  it('finds the top-2 eigenvectors of the sample covariance (eigen equation, ordering, trace)', () => {
    const rng = createRng(9);
    const n = 200;
    const d = 3;
    // Anisotropic Gaussian (stds 5, 2, 0.5) in a rotated basis, shifted by a mean.
    const x: number[] = [];
    for (let r = 0; r < n; r++) {
      const z = [5 * rng.normal(), 2 * rng.normal(), 0.5 * rng.normal()];
      x.push(0.6 * z[0]! - 0.8 * z[1]! + 3, 0.8 * z[0]! + 0.6 * z[1]! - 1, z[2]! + 10);
    }
    const out = pca2d(x, [n, d]);
    expect(out.points).toHaveLength(2 * n);
    const c = covariance(x, n, d);
    for (let k = 0; k < 2; k++) {
      const v = out.components[k]!;
      expectClose(Math.hypot(...v), 1, { atol: 1e-12 });
      expectClose(mv(c, v), Array.from(v, (vi) => vi * out.variance[k]!), { atol: 1e-9, rtol: 1e-9 });
    }
    // Third eigenvector = v1 × v2; its variance must be the smallest.
    const [a, b] = out.components;
    const v3 = [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
    const l3 = mv(c, v3).reduce((s, t, i) => s + t * v3[i]!, 0);
    expect(out.variance[0]).toBeGreaterThan(out.variance[1]);
    expect(out.variance[1]).toBeGreaterThan(l3);
    expectClose(out.variance[0] + out.variance[1] + l3, c[0]![0]! + c[1]![1]! + c[2]![2]!, { rtol: 1e-12 });
    // Direction close to the planted one, with the sign convention (largest entry positive).
    expectClose(Array.from(out.components[0]), [0.6, 0.8, 0], { atol: 0.05 });
    // Projections are centred and have the reported variance.
    const p1 = Array.from({ length: n }, (_, r) => out.points[2 * r]!);
    expectClose(p1.reduce((s, v) => s + v, 0) / n, 0, { atol: 1e-9 });
    expectClose(p1.reduce((s, v) => s + v * v, 0) / (n - 1), out.variance[0], { rtol: 1e-9 });
  });

  it('handles one column and rank-1 data', () => {
    const one = pca2d([1, 2, 3, 4], [4, 1]);
    expect(Array.from(one.components[0])).toEqual([1]);
    expect(Array.from(one.components[1])).toEqual([0]);
    const line = pca2d([0, 0, 1, 2, 2, 4, 3, 6], [4, 2]);
    expectClose(Array.from(line.components[0]), [1 / Math.sqrt(5), 2 / Math.sqrt(5)], { atol: 1e-9 });
    expectClose(line.variance[1], 0, { atol: 1e-9 });
  });

  it('rejects bad input', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isContrastiveError(e) ? `${e.code}:${e.argument}` : 'other';
      }
      return undefined;
    };
    expect(code(() => pca2d([1, 2, 3], [2, 2]))).toBe('SHAPE_MISMATCH:values');
    expect(code(() => pca2d([1, 2], [1, 2]))).toBe('OUT_OF_RANGE:rows');
    expect(code(() => pca2d([1, Number.NaN, 3, 4], [2, 2]))).toBe('NOT_FINITE:values');
  });
});
