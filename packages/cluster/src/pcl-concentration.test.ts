import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { expectClose, expectNoLeak } from '@contrastive/test-utils';
import { useBackend } from '@contrastive/test-utils';

beforeAll(async () => {
  await useBackend('cpu');
});
import { pclConcentrationReference, percentileReference } from '@contrastive/test-utils/reference/cluster';
import {
  kMeans,
  pclConcentration,
  pclPrototypes,
  pclRawConcentration,
  pclScaleConcentration,
  percentile,
} from './index';

describe('pclConcentration (spec §2(a) steps 4-7, §8 vectors)', () => {
  it('step 4: one cluster with distances [0.3, 0.5, 0.4, 0.6] gives mean / ln(14) = 0.170515', () => {
    const squared = [0.3, 0.5, 0.4, 0.6].map((d) => d * d);
    const phi = pclRawConcentration([0, 0, 0, 0], squared, { numClusters: 1 });
    expect(phi).toBeInstanceOf(Float64Array);
    expect(phi.length).toBe(1);
    expectClose(phi, [0.170515], { atol: 1e-6, rtol: 0 });
  });

  const RAW = [0.05, 0.1, 0.2, 0.4, 0.8, 0.12, 0.15, 0.11, 0.09, 0.3];

  it('steps 6-7: percentiles, clamp and rescale to mean tau = 0.2', () => {
    expectClose(percentile(RAW, 10), 0.086, { atol: 1e-12 });
    expectClose(percentile(RAW, 90), 0.44, { atol: 1e-12 });
    const phi = pclScaleConcentration(RAW, { temperature: 0.2 });
    expectClose(
      phi,
      [0.086172, 0.1002, 0.200401, 0.400802, 0.440882, 0.12024, 0.150301, 0.11022, 0.09018, 0.300601],
      { atol: 1e-6, rtol: 0 },
    );
    expectClose(phi.reduce((a, b) => a + b, 0) / phi.length, 0.2, { atol: 1e-12 });
  });

  it('step 5: empty and singleton clusters take the maximum phi; matches the float64 reference', () => {
    const rng = createRng(4);
    const k = 12;
    const assignment: number[] = [];
    const squared: number[] = [];
    const members: number[][] = Array.from({ length: k }, () => []);
    // Clusters 0 and 1 stay empty, cluster 2 gets one member.
    assignment.push(2);
    squared.push(0.04);
    members[2]!.push(0.2);
    for (let i = 0; i < 200; i++) {
      const c = 3 + rng.int(k - 3);
      const d = rng.uniform(0.1, 1);
      assignment.push(c);
      squared.push(d * d);
      members[c]!.push(d);
    }
    const raw = pclRawConcentration(assignment, squared, { numClusters: k });
    const max = Math.max(...Array.from(raw.subarray(3)));
    expect([raw[0], raw[1], raw[2]]).toEqual([max, max, max]);
    const phi = pclConcentration(assignment, squared, { numClusters: k, temperature: 0.1 });
    expectClose(phi, pclConcentrationReference(members, 0.1), { atol: 1e-12, rtol: 1e-10 });
    expectClose(percentile(squared, 37), percentileReference(squared, 37), { atol: 1e-15 });
  });

  it('falls back to the temperature when no cluster has two members', () => {
    const phi = pclConcentration([0, 1], [0.5, 0.5], { numClusters: 3, temperature: 0.3 });
    expect(Array.from(phi)).toEqual([0.3, 0.3, 0.3]);
  });

  it('rejects bad input', () => {
    expect(() => pclConcentration([0, 5], [1, 1], { numClusters: 3 })).toThrow(
      expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'assignment' }),
    );
    expect(() => pclConcentration([0], [1, 1], { numClusters: 3 })).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH', argument: 'squaredDistances' }),
    );
    expect(() => pclScaleConcentration(RAW, { temperature: 0 })).toThrow(
      expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'temperature' }),
    );
  });
});

describe('pclPrototypes (step 8)', () => {
  it('normalises centroids after estimating phi on the unnormalised ones', async () => {
    const features = tf.tensor2d([
      [3, 0], [3.2, 0], [2.8, 0.1], [0, 5], [0, 5.5], [0.2, 4.5],
    ]);
    const km = await kMeans(features, { k: 2, seed: 1 });
    const out = expectNoLeak(() => pclPrototypes(km, { temperature: 0.2 }), 2);
    expect(out.prototypes.shape).toEqual([2, 2]);
    expect(out.concentration.shape).toEqual([2]);
    expect(out.concentration.dtype).toBe('float32');
    const norms = await tf.tidy(() => tf.sqrt(tf.sum(tf.square(out.prototypes), 1))).data();
    expectClose(norms, [1, 1], { atol: 1e-6 });
    const expected = pclConcentration(km.assignment, km.distances, { numClusters: 2, temperature: 0.2 });
    expectClose(out.concentration, expected, { atol: 1e-7 });
    tf.dispose([features, km.centroids, out.prototypes, out.concentration]);
  });
});
