import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import {
  describeBackends,
  expectClose,
  expectNoLeakAsync,
  randomMatrix,
  roundToFloat32,
  toTensor2d,
  type Matrix,
  useBackend,
} from '@contrastive/test-utils';

beforeAll(async () => {
  await useBackend('cpu');
});
import { assignReference, lloydReference } from '@contrastive/test-utils/reference/cluster';
import { assignToCentroids, K_MEANS_DEFAULTS, kMeans, kMeansMulti } from './index';
import { chunkRows } from './assign-to-centroids';
import { targetGroups } from './bounded-lloyd';

/** `perBlob` points around each of `centres` (rows), Gaussian noise of `spread`. */
function blobs(centres: number[][], perBlob: number, spread: number, seed: number): { x: Matrix; labels: number[] } {
  const rng = createRng(seed);
  const d = centres[0]!.length;
  const data: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < perBlob * centres.length; i++) {
    const c = i % centres.length;
    labels.push(c);
    for (let a = 0; a < d; a++) data.push(centres[c]![a]! + spread * rng.normal());
  }
  return { x: { rows: labels.length, cols: d, data: Float64Array.from(data) }, labels };
}

const CENTRES = [
  [10, 0, 0, 0, 0, 0],
  [0, 10, 0, 0, 0, 0],
  [0, 0, 10, 0, 0, 0],
  [0, 0, 0, 10, 0, 10],
];

/** True when `a` is `b` up to a relabelling (a bijection of ids). */
function samePartitionAs(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]!) ?? b[i]) !== b[i] || (ba.get(b[i]!) ?? a[i]) !== a[i]) return false;
    ab.set(a[i]!, b[i]!);
    ba.set(b[i]!, a[i]!);
  }
  return true;
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; argument?: string }> {
  try {
    await p;
  } catch (error) {
    return error as { code?: string; argument?: string };
  }
  throw new Error('expected a rejection');
}

describeBackends(['cpu', 'wasm'], () => {
  describe('kMeans', () => {
    it('recovers separable blobs with k-means++ and with random seeding', async () => {
      const { x, labels } = blobs(CENTRES, 50, 0.5, 1);
      const features = toTensor2d(x);
      for (const init of ['kmeans++', 'random'] as const) {
        const result = await kMeans(features, { k: 4, init, seed: 3, restarts: init === 'random' ? 5 : 1 });
        expect(result.centroids.shape).toEqual([4, 6]);
        expect(result.centroids.dtype).toBe('float32');
        expect(result.assignment).toBeInstanceOf(Int32Array);
        expect(result.distances).toBeInstanceOf(Float32Array);
        expect(result.assignment.length).toBe(200);
        expect(samePartitionAs(result.assignment, labels)).toBe(true);
        expect(Array.from(result.counts)).toEqual([50, 50, 50, 50]);
        result.centroids.dispose();
      }
      features.dispose();
    });

    it('matches float64 Lloyd steps from the same initial centroids', async () => {
      const x = roundToFloat32(randomMatrix(11, 80, 5));
      const init = roundToFloat32({ rows: 6, cols: 5, data: x.data.slice(0, 30) });
      const features = toTensor2d(x);
      const initTensor = toTensor2d(init);
      for (const steps of [1, 3, 8]) {
        const result = await kMeans(features, { k: 6, init: initTensor, iterations: steps });
        expect(result.emptyRepaired).toBe(0);
        const expected = lloydReference(x, init, steps);
        expectClose(await result.centroids.data(), expected.data, { atol: 1e-5, rtol: 1e-4 });
        const ref = assignReference(x, expected);
        expect(Array.from(result.assignment)).toEqual(ref.assignment);
        expectClose(result.distances, ref.distances, { atol: 1e-4, rtol: 1e-4 });
        expectClose(result.inertia, ref.distances.reduce((a, b) => a + b, 0), { rtol: 1e-5 });
        result.centroids.dispose();
      }
      tf.dispose([features, initTensor]);
    });

    it('repairs empty clusters by splitting the largest or by the farthest point', async () => {
      const { x } = blobs([[0, 0], [20, 0]], 30, 1, 5);
      const features = toTensor2d(x);
      // The third centroid is far from every point, so it is empty after the first assignment.
      const init = tf.tensor2d([[0, 0], [20, 0], [500, 500]]);
      for (const emptyClusters of ['split-largest', 'farthest-point'] as const) {
        const result = await kMeans(features, { k: 3, init, iterations: 10, emptyClusters });
        expect(result.emptyRepaired).toBeGreaterThan(0);
        expect(Math.min(...result.counts)).toBeGreaterThan(0);
        const c = await result.centroids.data();
        expect(Math.max(...Array.from(c))).toBeLessThan(30);
        result.centroids.dispose();
      }
      tf.dispose([features, init]);
    });

    it('fits on a subsample (maxPointsPerCentroid) and assigns every row', async () => {
      const { x, labels } = blobs(CENTRES, 50, 0.5, 2);
      const features = toTensor2d(x);
      const result = await kMeans(features, { k: 4, maxPointsPerCentroid: 8, seed: 1, restarts: 3 });
      expect(result.assignment.length).toBe(200);
      expect(samePartitionAs(result.assignment, labels)).toBe(true);
      const ref = assignReference(x, { rows: 4, cols: 6, data: Float64Array.from(await result.centroids.data()) });
      expect(Array.from(result.assignment)).toEqual(ref.assignment);
      result.centroids.dispose();
      features.dispose();
    });

    it('is deterministic per seed; more restarts never raise the inertia', async () => {
      const x = randomMatrix(3, 120, 4);
      const features = toTensor2d(x);
      const a = await kMeans(features, { k: 7, seed: 9 });
      const b = await kMeans(features, { k: 7, seed: 9 });
      const c = await kMeans(features, { k: 7, seed: 9, restarts: 4 });
      expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment));
      expect(c.inertia).toBeLessThanOrEqual(a.inertia + 1e-9);
      tf.dispose([a.centroids, b.centroids, c.centroids, features]);
    });

    it('chunks the score matrix without changing the result', async () => {
      const x = randomMatrix(4, 90, 3);
      const features = toTensor2d(x);
      const whole = await kMeans(features, { k: 5, seed: 2 });
      const chunked = await kMeans(features, { k: 5, seed: 2, chunkElements: 17 });
      expect(Array.from(chunked.assignment)).toEqual(Array.from(whole.assignment));
      tf.dispose([whole.centroids, chunked.centroids, features]);
    });

    it('keeps one score block on the device, not the N x k distance matrix', async () => {
      const features = toTensor2d(randomMatrix(12, 3000, 8));
      const k = 300;
      const chunkElements = 3000;
      const before = tf.memory().numBytes;
      let result: Awaited<ReturnType<typeof kMeans>> | undefined;
      const info = await tf.profile(async () => {
        result = await kMeans(features, { k, iterations: 4, chunkElements });
      });
      // A score block and a row block of at most chunkElements each (plus matMul's reshaped
      // views of them, which tf.memory counts again), c^T and its bias, the result.
      expect(info.peakBytes - before).toBeLessThanOrEqual(4 * (4 * chunkElements + 2 * k * 8 + 2 * k));
      expect(info.peakBytes - before).toBeLessThan((3000 * k * 4) / 50);
      tf.dispose([result!.centroids, features]);
    });

    it('leaks nothing but the centroids', async () => {
      const features = toTensor2d(randomMatrix(5, 40, 3));
      const result = await expectNoLeakAsync(() => kMeans(features, { k: 3, maxPointsPerCentroid: 5 }));
      result.centroids.dispose();
      const multi = await expectNoLeakAsync(() => kMeansMulti(features, { ks: [2, 3] }));
      tf.dispose(multi.map((r) => r.centroids));
      const c = tf.tensor2d([[0, 0, 0]]);
      await expectNoLeakAsync(() => assignToCentroids(features, c, { chunkElements: 7 }), 0);
      tf.dispose([features, c]);
    });
  });
});

describe('kMeansMulti', () => {
  it('runs one clustering per k with seed + index', async () => {
    const features = toTensor2d(randomMatrix(6, 60, 3));
    const results = await kMeansMulti(features, { ks: [2, 4, 8], seed: 10 });
    expect(results.map((r) => r.centroids.shape)).toEqual([[2, 3], [4, 3], [8, 3]]);
    const single = await kMeans(features, { k: 4, seed: 11 });
    expect(Array.from(results[1]!.assignment)).toEqual(Array.from(single.assignment));
    tf.dispose([...results.map((r) => r.centroids), single.centroids, features]);
  });
});

describe('memory plan at 100k x 128, k = 10,000', () => {
  it('scores 419-row blocks (16 MB) and keeps at most 2^23 float64 group bounds (64 MB)', () => {
    const { chunkElements } = K_MEANS_DEFAULTS;
    expect(chunkRows(10_000, 128, chunkElements)).toBe(419);
    expect(chunkRows(10_000, 128, chunkElements) * 10_000 * 4).toBeLessThanOrEqual(16 * 2 ** 20);
    const groups = targetGroups(100_000, 10_000);
    expect(groups).toBeGreaterThan(80);
    expect(groups * 100_000 * 8).toBeLessThanOrEqual(64 * 2 ** 20);
    expect(targetGroups(50_000, 1000)).toBe(50);
  });
});

describe('assignToCentroids', () => {
  it('returns the nearest centroid and squared distance', async () => {
    const x = tf.tensor2d([[0, 0], [3, 4], [10, 0], [6, 0]]);
    const c = tf.tensor2d([[0, 0], [10, 0]]);
    const { assignment, distances } = await assignToCentroids(x, c);
    expect(Array.from(assignment)).toEqual([0, 0, 1, 1]);
    expectClose(distances, [0, 25, 0, 16]);
    tf.dispose([x, c]);
  });
});

describeBackends(['cpu', 'wasm'], () => {
  it('assignToCentroids gives exact ties to the lowest centroid index (k below and above 32)', async () => {
    for (const k of [7, 40, 130]) {
      const rng = createRng(k);
      const values = Array.from({ length: k * 3 }, () => rng.uniform(-5, 5));
      // Centroid 2 is repeated at k / 2 and k - 1; rows at and near it tie between the copies.
      for (const to of [Math.floor(k / 2), k - 1]) values.splice(to * 3, 3, ...values.slice(6, 9));
      const c = tf.tensor2d(values, [k, 3]);
      const x = tf.tensor2d([...values.slice(6, 9), ...values.slice(6, 9).map((v) => v + 1e-3)], [2, 3]);
      const { assignment } = await assignToCentroids(x, c);
      expect(Array.from(assignment), `k ${k}`).toEqual([2, 2]);
      tf.dispose([x, c]);
    }
  });
});

describe('argument checks', () => {
  it('rejects bad input with codes and argument names', async () => {
    const x = tf.zeros([5, 2]) as tf.Tensor2D;
    expect(await rejection(kMeans(x, { k: 6 }))).toMatchObject({ code: 'OUT_OF_RANGE', argument: 'k' });
    expect(await rejection(kMeans(tf.zeros([5]) as unknown as tf.Tensor2D, { k: 2 }))).toMatchObject({
      code: 'RANK_MISMATCH',
      argument: 'features',
    });
    expect(await rejection(kMeans(x, { k: 2, init: 'kmeans+' as 'kmeans++' }))).toMatchObject({
      code: 'UNKNOWN_NAME',
      argument: 'init',
    });
    const badInit = tf.zeros([3, 2]) as tf.Tensor2D;
    expect(await rejection(kMeans(x, { k: 2, init: badInit }))).toMatchObject({
      code: 'SHAPE_MISMATCH',
      argument: 'init',
    });
    expect(await rejection(kMeans(x, { k: 2, iterations: -1 }))).toMatchObject({ argument: 'iterations' });
    expect(await rejection(kMeansMulti(x, { ks: [] }))).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'ks' });
    const c = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(await rejection(assignToCentroids(x, c))).toMatchObject({ code: 'SHAPE_MISMATCH', argument: 'centroids' });
    tf.dispose([x, badInit, c]);
  });
});
