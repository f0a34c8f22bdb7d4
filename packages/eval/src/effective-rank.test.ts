import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { expectClose, expectNoLeakAsync, randomMatrix, toTensor2d } from '@contrastive/test-utils';
import { useBackend } from '@contrastive/test-utils';

beforeAll(async () => {
  await useBackend('cpu');
});
import { jacobiEigenvalues } from '@contrastive/test-utils/reference/eval';
import { effectiveRank, effectiveRankOfSpectrum, symmetricEigenvalues } from './index';

function randomSymmetric(seed: number, n: number): Float64Array {
  const m = randomMatrix(seed, n, n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = m.data[i * n + j]! + m.data[j * n + i]!;
  return a;
}

describe('symmetricEigenvalues', () => {
  it('matches Jacobi rotations on random symmetric matrices', () => {
    for (const n of [1, 2, 3, 10, 40]) {
      const a = randomSymmetric(n, n);
      const values = symmetricEigenvalues(a, n);
      expect(values).toBeInstanceOf(Float64Array);
      expect(values.length).toBe(n);
      expectClose(values, jacobiEigenvalues(a, n), { atol: 1e-9, rtol: 1e-9 });
    }
  });

  it('finds a known spectrum (diagonal, repeated and zero eigenvalues)', () => {
    expectClose(symmetricEigenvalues([3, 0, 0, 0, 1, 0, 0, 0, 2], 3), [3, 2, 1], { atol: 1e-12 });
    // [[2,1],[1,2]] has eigenvalues 3 and 1; the all-ones 3x3 has 3, 0, 0.
    expectClose(symmetricEigenvalues([2, 1, 1, 2], 2), [3, 1], { atol: 1e-12 });
    expectClose(symmetricEigenvalues([1, 1, 1, 1, 1, 1, 1, 1, 1], 3), [3, 0, 0], { atol: 1e-12 });
  });
});

describe('effectiveRank', () => {
  it('is d for orthogonal equal-norm columns and 1 for a rank-one matrix', async () => {
    const eye = tf.tidy(() => tf.mul(tf.eye(6, 6), 3)) as tf.Tensor2D;
    expect(await effectiveRank(eye)).toBeCloseTo(6, 9);
    const rankOne = tf.outerProduct(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([1, -1, 0.5])) as tf.Tensor2D;
    expect(await effectiveRank(rankOne)).toBeCloseTo(1, 6);
    expect(await effectiveRank(tf.zeros([3, 2]) as tf.Tensor2D)).toBe(0);
    tf.dispose([eye, rankOne]);
  });

  it('equals exp(entropy) of the singular values; same via X^T X and X X^T', async () => {
    // A scaled identity block: singular values exactly 1, 2, 3.
    const x = tf.tensor2d([[1, 0, 0], [0, 2, 0], [0, 0, 3], [0, 0, 0]]);
    expectClose(await effectiveRank(x), effectiveRankOfSpectrum([1, 2, 3]), { atol: 1e-9 });
    const p = [1 / 6, 2 / 6, 3 / 6];
    expectClose(effectiveRankOfSpectrum([1, 2, 3]), Math.exp(-p.reduce((s, v) => s + v * Math.log(v), 0)), { atol: 1e-12 });
    const wide = toTensor2d(randomMatrix(5, 4, 9));
    const tall = tf.transpose(wide) as tf.Tensor2D;
    expectClose(await effectiveRank(wide), await effectiveRank(tall), { atol: 1e-6, rtol: 1e-6 });
    const centred = await effectiveRank(tall, { center: true });
    expect(centred).toBeGreaterThan(1);
    expect(centred).toBeLessThanOrEqual(4);
    await expectNoLeakAsync(() => effectiveRank(tall), 0);
    tf.dispose([x, wide, tall]);
  });

  it('handles d = 256 quickly enough for a test and stays in [1, d]', async () => {
    const rng = createRng(2);
    const n = 300;
    const d = 256;
    const data = new Float32Array(n * d);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal() * (1 + (i % d) / 32);
    const x = tf.tensor2d(data, [n, d]);
    const r = await effectiveRank(x);
    expect(r).toBeGreaterThan(100);
    expect(r).toBeLessThan(d);
    x.dispose();
  });

  it('rejects bad input', async () => {
    await expect(effectiveRank(tf.zeros([3]) as unknown as tf.Tensor2D)).rejects.toMatchObject({ code: 'RANK_MISMATCH', argument: 'features' });
    expect(() => symmetricEigenvalues([1, 2, 3], 2)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  });
});
