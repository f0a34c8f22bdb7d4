/**
 * The host k-means path (`path: 'host'`) and PCL's E-step on it on an
 * accelerator backend (webgpu; reads are asynchronous only; 'auto' would
 * take the device path there, tested in device-k-means.test.ts). The device
 * computes the score blocks (a fused matmul,
 * argmax and max); seeding, bounds, the M-step and the repairs run in float64
 * JavaScript on the read-back rows. With the same data and seed, every
 * assignment must therefore be the one cpu makes, and then the centroids,
 * distances, inertia and PCL concentrations are the same numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { closenessError, describeBackends, onCpuAnd } from '@contrastive/test-utils';
import {
  assignToCentroids,
  createKMeans,
  kMeans,
  kMeansMulti,
  pclConcentration,
  pclPrototypes,
  type KMeansOptions,
  type KMeansResult,
} from './index';
import { boundedLloyd } from './bounded-lloyd';
import { kMeansPlusPlusSeeds } from './k-means-plus-plus';
import { rowSquaredNorms } from './feature-matrix';

/** `perBlob` float32 points around each of `blobs` random centres in [-scale, scale]^d. */
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

/** A k-means result as plain arrays (centroids read back and disposed). */
interface PlainResult extends Omit<KMeansResult, 'centroids'> {
  centroids: Float32Array;
}

async function plain(result: KMeansResult): Promise<PlainResult> {
  const centroids = Float32Array.from(await result.centroids.data());
  result.centroids.dispose();
  const { centroids: _, ...rest } = result;
  return { ...rest, centroids };
}

/**
 * Distances of a fit on a subsample: the rows outside it are assigned in
 * one final pass whose distances are ||x||^2 - 2 s from the float32 device
 * score s, i.e. exact up to a few float32 roundings of ||x||^2 (about 150
 * here, whose ulp is 1.5e-5); fits on every row keep Lloyd's float64
 * distances, the same bits on every backend.
 */
const DEVICE_DISTANCES = { atol: 1e-4, rtol: 1e-5 };

function expectSameResult(gpu: PlainResult, cpu: PlainResult, label: string, distances = { atol: 0, rtol: 0 }): void {
  expect(Array.from(gpu.assignment), `${label}: assignment`).toEqual(Array.from(cpu.assignment));
  expect(Array.from(gpu.counts), `${label}: counts`).toEqual(Array.from(cpu.counts));
  expect(gpu.iterations, `${label}: iterations`).toBe(cpu.iterations);
  expect(gpu.restart, `${label}: winning restart`).toBe(cpu.restart);
  expect(gpu.emptyRepaired, `${label}: repairs`).toBe(cpu.emptyRepaired);
  // Same assignments at every step: the float64 M-steps give the same centroids, bit for bit.
  expect(closenessError(gpu.centroids, cpu.centroids, { atol: 0, rtol: 0 }), `${label}: centroids`).toBeUndefined();
  expect(closenessError(gpu.distances, cpu.distances, distances), `${label}: distances`).toBeUndefined();
  if (distances.atol === 0) expect(gpu.inertia, `${label}: inertia`).toBe(cpu.inertia);
  else expect(closenessError(gpu.inertia, cpu.inertia, { atol: 0, rtol: 1e-6 }), `${label}: inertia`).toBeUndefined();
}

async function fit(values: Float32Array, d: number, options: KMeansOptions): Promise<PlainResult> {
  const x = tf.tensor2d(values, [values.length / d, d]);
  try {
    return await plain(await kMeans(x, { ...options, path: 'host' }));
  } finally {
    x.dispose();
  }
}

describeBackends(['webgpu'], (backend) => {
  it('k-means++ with restarts: same assignment, centroids, distances and inertia as on cpu', async () => {
    const d = 8;
    const data = mixture(1, 6, 50, d, 1.5);
    for (const options of [
      { k: 6, restarts: 3, seed: 1 },
      { k: 10, restarts: 2, seed: 2, init: 'random' as const },
      // Several score chunks per pass (chunkElements / max(k, d) = 12 rows).
      { k: 6, seed: 3, chunkElements: 100 },
    ]) {
      const { cpu, gpu } = await onCpuAnd(backend, () => fit(data, d, options));
      expectSameResult(gpu, cpu, JSON.stringify(options));
    }
  });

  it('k-means with many centroids (Yinyang groups, grouped E-steps and a subsample) as on cpu', async () => {
    const d = 16;
    const data = mixture(2, 12, 80, d, 1, 3);
    // k = 70: 4 centroid groups; maxPointsPerCentroid 10 fits on 700 of the 960 rows, then assigns all.
    const options = { k: 70, restarts: 2, seed: 4, iterations: 30, maxPointsPerCentroid: 10 };
    const { cpu, gpu } = await onCpuAnd(backend, () => fit(data, d, options));
    expectSameResult(gpu, cpu, 'k 70', DEVICE_DISTANCES);
    expect(gpu.iterations).toBeGreaterThan(1);
  });

  it('Yinyang Lloyd: refresh and grouped E-steps score the same rows and reach the same centroids as on cpu', async () => {
    const d = 12;
    const data = mixture(9, 10, 60, d, 1.5, 4);
    const k = 60;
    const initial = Float64Array.from(data.subarray(0, k * d));
    const { cpu, gpu } = await onCpuAnd(backend, () =>
      boundedLloyd(
        { rows: data.length / d, cols: d, data, squaredNorms: rowSquaredNorms(data, data.length / d, d) },
        initial,
        { k, iterations: 25, emptyClusters: 'split-largest', chunkElements: 1 << 22 },
      ),
    );
    expect(gpu.steps).toContain('grouped');
    expect(gpu.steps).toEqual(cpu.steps);
    expect(gpu.rowsScored).toEqual(cpu.rowsScored);
    expect(Array.from(gpu.assignment)).toEqual(Array.from(cpu.assignment));
    expect(closenessError(gpu.centroids, cpu.centroids, { atol: 0, rtol: 0 })).toBeUndefined();
    expect(gpu.inertia).toBe(cpu.inertia);
  });

  it('k-means++ on fewer distinct points than k: the same seeds and first assignment (ties to the first copy) as on cpu', async () => {
    const d = 3;
    const distinct = mixture(10, 4, 1, d, 0);
    // 120 rows, only 4 distinct: seeds beyond the fourth are duplicates, and every
    // row ties between the copies of its point (k = 40: ArgMax over 40 columns).
    // Whole fits are not compared here: splitting a duplicate's empty cluster puts
    // the two halves at exactly equal distances from its rows, a tie that float32
    // scores resolve by their rounding (k-means equals plain Lloyd up to rounding).
    const data = Float32Array.from({ length: 120 * d }, (_, i) => distinct[i % (4 * d)]!);
    const m = { rows: 120, cols: d, data, squaredNorms: rowSquaredNorms(data, 120, d) };
    for (const k of [6, 40]) {
      const { cpu, gpu } = await onCpuAnd(backend, () => kMeansPlusPlusSeeds(m, k, createRng(5), 1 << 22));
      expect(Array.from(gpu.centroids), `k ${k}: seeds`).toEqual(Array.from(cpu.centroids));
      expect(Array.from(gpu.assignment!), `k ${k}: first assignment`).toEqual(Array.from(cpu.assignment!));
      expect(Math.max(...gpu.assignment!), `k ${k}: rows go to the first copy of their point`).toBe(3);
    }
  });

  it('several k at once (kMeansMulti, seed + m per clustering) as on cpu', async () => {
    const d = 6;
    const data = mixture(3, 5, 40, d, 1);
    const { cpu, gpu } = await onCpuAnd(backend, async () => {
      const x = tf.tensor2d(data, [data.length / d, d]);
      const results = await kMeansMulti(x, { ks: [3, 5, 12], restarts: 2, seed: 7, path: 'host' });
      x.dispose();
      return Promise.all(results.map(plain));
    });
    expect(gpu.length).toBe(3);
    gpu.forEach((r, i) => expectSameResult(r, cpu[i]!, `ks[${i}]`));
  });

  it('empty-cluster repair (split-largest and farthest-point) as on cpu', async () => {
    const d = 4;
    const data = mixture(4, 3, 30, d, 0.5);
    // Initial centroids: two far away from every point (their clusters start empty) and copies.
    const init = Float32Array.from([
      ...data.subarray(0, d),
      ...data.subarray(0, d),
      100, 100, 100, 100,
      -100, 50, 0, 0,
      ...data.subarray(5 * d, 6 * d),
    ]);
    for (const emptyClusters of ['split-largest', 'farthest-point'] as const) {
      const { cpu, gpu } = await onCpuAnd(backend, async () => {
        const start = tf.tensor2d(init, [5, d]);
        try {
          return await fit(data, d, { k: 5, init: start, emptyClusters, iterations: 10 });
        } finally {
          start.dispose();
        }
      });
      expect(gpu.emptyRepaired, emptyClusters).toBeGreaterThan(0);
      expectSameResult(gpu, cpu, emptyClusters);
    }
  });

  it('assignToCentroids: nearest centroid, distances, and ties to the lowest index (k below and above 32)', async () => {
    const d = 5;
    const rows = mixture(5, 4, 25, d, 1);
    for (const k of [7, 40, 130]) {
      const rng = createRng(k);
      const centroids = Float32Array.from({ length: k * d }, () => rng.uniform(-5, 5));
      // Exact duplicates: rows nearest to centroid j tie with its later copies.
      for (const [from, to] of [[1, k - 1], [2, Math.floor(k / 2)], [2, k - 2]] as const) {
        centroids.set(centroids.subarray(from * d, (from + 1) * d), to * d);
      }
      // Rows that are the centroids themselves (distance 0, tied with their copies).
      const withCopies = Float32Array.from([...rows, ...centroids.subarray(d, 3 * d)]);
      const { cpu, gpu } = await onCpuAnd(backend, async () => {
        const x = tf.tensor2d(withCopies, [withCopies.length / d, d]);
        const c = tf.tensor2d(centroids, [k, d]);
        const out = await assignToCentroids(x, c, { chunkElements: 64 * Math.max(k, d) });
        tf.dispose([x, c]);
        return out;
      });
      expect(Array.from(gpu.assignment), `k ${k}: assignment`).toEqual(Array.from(cpu.assignment));
      expect(closenessError(gpu.distances, cpu.distances, { atol: 1e-4, rtol: 1e-5 }), `k ${k}: distances`).toBeUndefined();
      const n = rows.length / d;
      expect([gpu.assignment[n], gpu.assignment[n + 1]], `k ${k}: centroid rows go to the first copy`).toEqual([1, 2]);
    }
  });

  it('createKMeans: fit, assign new rows, state round trip', async () => {
    const d = 6;
    const train = mixture(6, 4, 30, d, 1);
    const test = mixture(7, 4, 10, d, 1);
    const { cpu, gpu } = await onCpuAnd(backend, async () => {
      const model = createKMeans({ k: 4, seed: 2, restarts: 2, path: 'host' });
      const x = tf.tensor2d(train, [train.length / d, d]);
      const y = tf.tensor2d(test, [test.length / d, d]);
      const fitted = await model.fit(x);
      const assigned = await model.assign(y);
      const state = await model.getState();
      const copy = createKMeans({ k: 4 });
      copy.setState(state);
      const again = await copy.assign(y);
      tf.dispose([x, y]);
      model.dispose();
      copy.dispose();
      return { fitted, assigned, state, again };
    });
    expect(Array.from(gpu.fitted.assignment)).toEqual(Array.from(cpu.fitted.assignment));
    expect(gpu.fitted.inertia).toBe(cpu.fitted.inertia);
    expect(gpu.state).toEqual(cpu.state);
    expect(Array.from(gpu.assigned.assignment)).toEqual(Array.from(cpu.assigned.assignment));
    expect(Array.from(gpu.again.assignment)).toEqual(Array.from(gpu.assigned.assignment));
    expect(closenessError(gpu.assigned.distances, cpu.assigned.distances, { atol: 1e-4, rtol: 1e-5 })).toBeUndefined();
  });

  it('PCL E-step: prototypes, concentrations and assignment of every granularity as on cpu', async () => {
    const d = 8;
    const data = mixture(8, 6, 30, d, 1.2);
    const { cpu, gpu } = await onCpuAnd(backend, async () => {
      const x = tf.tensor2d(data, [data.length / d, d]);
      const results = await kMeansMulti(x, { ks: [4, 9], restarts: 2, seed: 0, path: 'host' });
      x.dispose();
      const out = [];
      for (const r of results) {
        const p = pclPrototypes(r, { temperature: 0.2 });
        out.push({
          prototypes: Float32Array.from(await p.prototypes.data()),
          concentration: Float32Array.from(await p.concentration.data()),
          phi: pclConcentration(r.assignment, r.distances, { numClusters: r.counts.length, temperature: 0.2 }),
          assignment: Array.from(p.assignment),
        });
        tf.dispose([p.prototypes, p.concentration, r.centroids]);
      }
      return out;
    });
    gpu.forEach((g, i) => {
      const c = cpu[i]!;
      expect(g.assignment).toEqual(c.assignment);
      expect(Array.from(g.phi)).toEqual(Array.from(c.phi));
      expect(closenessError(g.concentration, c.concentration, { atol: 0, rtol: 0 })).toBeUndefined();
      // Prototypes: the same centroids L2-normalised on the device (float32 rounding of the norm).
      expect(closenessError(g.prototypes, c.prototypes, { atol: 1e-6, rtol: 1e-6 })).toBeUndefined();
    });
  });
});
