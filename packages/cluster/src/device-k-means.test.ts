/**
 * The device path (device-k-means.ts) against the host path on seeded
 * data: the same assignment, counts, iterations, winning restart and
 * repairs, centroids and inertia within float32 rounding (the device sums
 * in float32, the host in float64), on cpu and, tiny, on webgpu; and the
 * host reads per Lloyd iteration counted.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { closenessError, describeBackends, expectNoLeakAsync, useBackend } from '@contrastive/test-utils';
import { kMeans, kMeansMulti, type KMeansOptions, type KMeansResult } from './index';
import { resolvePath } from './k-means-path';
import { farthestMoves, splitPairs } from './device-repair';

/** `perBlob` float32 points around each of `blobs` random centres in [-scale, scale]^d (point i in blob i mod blobs). */
function mixture(seed: number, blobs: number, perBlob: number, d: number, spread: number, scale = 5): Float32Array {
  const rng = createRng(seed);
  const centres = Array.from({ length: blobs * d }, () => rng.uniform(-scale, scale));
  const out = new Float32Array(blobs * perBlob * d);
  for (let i = 0; i < blobs * perBlob; i++) {
    const c = i % blobs;
    for (let a = 0; a < d; a++) out[i * d + a] = centres[c * d + a]! + spread * rng.normal();
  }
  return out;
}

interface Plain extends Omit<KMeansResult, 'centroids'> {
  centroids: Float32Array;
}

async function fit(values: Float32Array, d: number, options: KMeansOptions, init?: Float32Array): Promise<Plain> {
  const x = tf.tensor2d(values, [values.length / d, d]);
  const start = init === undefined ? undefined : tf.tensor2d(init, [init.length / d, d]);
  try {
    const { centroids, ...rest } = await kMeans(x, { ...options, ...(start ? { init: start } : {}) });
    const c = Float32Array.from(await centroids.data());
    centroids.dispose();
    return { ...rest, centroids: c };
  } finally {
    tf.dispose([x, ...(start ? [start] : [])]);
  }
}

/** Float32 rounding of sums over a few hundred rows of values up to ~10. */
const FLOAT32_CENTROIDS = { atol: 2e-5, rtol: 2e-5 };

function expectSame(device: Plain, host: Plain, label: string): void {
  expect(Array.from(device.assignment), `${label}: assignment`).toEqual(Array.from(host.assignment));
  expect(Array.from(device.counts), `${label}: counts`).toEqual(Array.from(host.counts));
  expect(device.iterations, `${label}: iterations`).toBe(host.iterations);
  expect(device.restart, `${label}: restart`).toBe(host.restart);
  expect(device.emptyRepaired, `${label}: repairs`).toBe(host.emptyRepaired);
  expect(closenessError(device.centroids, host.centroids, FLOAT32_CENTROIDS), `${label}: centroids`).toBeUndefined();
  expect(closenessError(device.distances, host.distances, { atol: 1e-4, rtol: 1e-5 }), `${label}: distances`).toBeUndefined();
  expect(closenessError(device.inertia, host.inertia, { atol: 0, rtol: 1e-5 }), `${label}: inertia`).toBeUndefined();
}

/** Host reads (backend read/readSync from outside a kernel) during `f`. */
async function countReads<T>(f: () => Promise<T>): Promise<{ reads: number; value: T }> {
  type Reader = { read(id: object): Promise<unknown>; readSync(id: object): unknown };
  const backend = tf.backend() as unknown as Reader;
  const { read, readSync } = backend;
  const state = (tf.engine() as unknown as { state: { kernelDepth: number } }).state;
  let reads = 0;
  let inRead = false;
  backend.read = async function (this: Reader, id: object) {
    reads++;
    inRead = true;
    try {
      return await read.call(this, id);
    } finally {
      inRead = false;
    }
  };
  backend.readSync = function (this: Reader, id: object) {
    if (!inRead && state.kernelDepth === 0) reads++;
    return readSync.call(this, id);
  };
  try {
    const value = await f();
    return { reads, value };
  } finally {
    backend.read = read;
    backend.readSync = readSync;
  }
}

describe('device k-means on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it("'auto' takes the host path on cpu", () => {
    expect(resolvePath('auto')).toBe('host');
    expect(resolvePath('device')).toBe('device');
  });

  it('random seeds, restarts and chunked scores: the host path\'s result up to float32 rounding', async () => {
    const d = 8;
    const data = mixture(1, 8, 40, d, 1.2);
    for (const options of [
      { k: 8, restarts: 3, seed: 1, init: 'random' as const },
      { k: 20, restarts: 2, seed: 2, init: 'random' as const, chunkElements: 200 },
      // A subsample of 150 rows is fitted, then all 320 assigned.
      { k: 10, seed: 3, init: 'random' as const, maxPointsPerCentroid: 15 },
    ]) {
      const host = await fit(data, d, { ...options, path: 'host' });
      const device = await expectNoLeakAsync(() => fit(data, d, { ...options, path: 'device' }));
      expectSame(device, host, JSON.stringify(options));
      expect(device.iterations).toBeGreaterThan(1);
    }
  });

  it('empty clusters: both repairs as on the host path', async () => {
    const d = 4;
    const data = mixture(4, 3, 30, d, 0.5);
    const init = Float32Array.from([
      ...data.subarray(0, d),
      ...data.subarray(0, d),
      100, 100, 100, 100,
      -100, 50, 0, 0,
      ...data.subarray(5 * d, 6 * d),
    ]);
    for (const emptyClusters of ['split-largest', 'farthest-point'] as const) {
      const options = { k: 5, emptyClusters, iterations: 10 };
      const host = await fit(data, d, { ...options, path: 'host' }, init);
      const device = await fit(data, d, { ...options, path: 'device' }, init);
      expect(device.emptyRepaired, emptyClusters).toBeGreaterThan(0);
      expectSame(device, host, emptyClusters);
    }
  });

  it('repair decisions: split pairs halve the largest, farthest moves keep a member', () => {
    expect(splitPairs(Int32Array.from([0, 9, 2, 0]))).toEqual([[0, 1], [3, 1]]);
    expect(splitPairs(Int32Array.from([0, 6, 2, 0]))).toEqual([[0, 1], [3, 0]]);
    expect(splitPairs(Int32Array.from([0, 1, 1]))).toEqual([]);
    const counts = Int32Array.from([2, 1, 0]);
    // Row 2 is farthest but alone in cluster 1; row 0 (cluster 0, two members) moves.
    expect(farthestMoves(counts, Int32Array.from([0, 0, 1]), Float32Array.from([5, 1, 9]))).toEqual([[0, 0, 2]]);
    expect(Array.from(counts)).toEqual([1, 1, 1]);
  });

  it('k-means++ on the device: one seed per separated blob, then the host path\'s partition', async () => {
    const d = 6;
    const blobs = 5;
    const data = mixture(7, blobs, 30, d, 0.05, 10);
    const device = await expectNoLeakAsync(() => fit(data, d, { k: blobs, seed: 3, init: 'kmeans++', path: 'device' }));
    const host = await fit(data, d, { k: blobs, seed: 3, init: 'kmeans++', path: 'host' });
    // Row i is in blob i mod 5: each blob is one cluster (labels may differ between the paths).
    for (let i = 0; i < device.assignment.length; i++) {
      expect(device.assignment[i]).toBe(device.assignment[i % blobs]);
    }
    expect(new Set(device.assignment).size).toBe(blobs);
    expect(closenessError(device.inertia, host.inertia, { atol: 0, rtol: 1e-5 })).toBeUndefined();
  });

  it('kMeansMulti: one device fit per k (seed + m) as on the host path', async () => {
    const d = 5;
    const data = mixture(3, 5, 40, d, 1);
    const run = async (path: 'host' | 'device'): Promise<Plain[]> => {
      const x = tf.tensor2d(data, [data.length / d, d]);
      const results = await kMeansMulti(x, { ks: [3, 5, 12], restarts: 2, seed: 7, init: 'random', path });
      x.dispose();
      return Promise.all(
        results.map(async ({ centroids, ...rest }) => {
          const c = Float32Array.from(await centroids.data());
          centroids.dispose();
          return { ...rest, centroids: c };
        }),
      );
    };
    const host = await run('host');
    const device = await run('device');
    device.forEach((r, i) => expectSame(r, host[i]!, `ks[${i}]`));
  });
});

/** Host reads of a device fit that runs exactly `iterations` Lloyd iterations (no fixed point before). */
async function readsOfFit(data: Float32Array, d: number, iterations: number): Promise<number> {
  const { reads, value } = await countReads(() => fit(data, d, { k: 12, seed: 5, init: 'random', iterations, path: 'device' }));
  expect(value.iterations).toBe(iterations);
  return reads;
}

describeBackends(['cpu', 'wasm', 'webgpu'], (backend) => {
  it(`one host read per Lloyd iteration on ${backend}`, async () => {
    const d = 4;
    // Overlapping blobs: Lloyd keeps moving rows for more than 4 iterations.
    const data = mixture(11, 6, 20, d, 2.5, 2);
    const two = await readsOfFit(data, d, 2);
    const four = await readsOfFit(data, d, 4);
    expect(four - two).toBe(2);
    // Besides the iterations: the first status, the inertia, the final assignment and distances, and the test's read of the centroids.
    expect(two).toBe(2 + 5);
  });
});

describeBackends(['webgpu'], (backend) => {
  it('device k-means on webgpu equals the host path on cpu', async () => {
    const d = 4;
    const data = mixture(2, 4, 12, d, 1);
    const options = { k: 6, restarts: 2, seed: 1, init: 'random' as const };
    await useBackend('cpu');
    const host = await fit(data, d, { ...options, path: 'host' });
    await useBackend(backend);
    expect(resolvePath('auto')).toBe('device');
    const device = await expectNoLeakAsync(() => fit(data, d, options));
    expectSame(device, host, backend);
  });
});
