import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { expectClose, roundToFloat32 } from '@contrastive/test-utils';
import { useBackend } from '@contrastive/test-utils';

beforeAll(async () => {
  await useBackend('cpu');
});
import { lloydReference } from '@contrastive/test-utils/reference/cluster';
import { boundedLloyd } from './bounded-lloyd';
import { readFeatureMatrix } from './feature-matrix';

describe('boundedLloyd (Hamerly bounds)', () => {
  it('skips rows whose bounds prove they stay, and still equals plain Lloyd', async () => {
    const rng = createRng(8);
    const centres = [[0, 0, 0], [6, 0, 0], [0, 6, 0], [0, 0, 6], [6, 6, 6]];
    const data: number[] = [];
    for (let i = 0; i < 250; i++) for (const v of centres[i % 5]!) data.push(v + rng.normal());
    const x = roundToFloat32({ rows: 250, cols: 3, data: Float64Array.from(data) });
    // Start from perturbed true centres plus one extra centroid so the run takes several steps.
    const initData = [...centres.flat().map((v) => v + 0.8), 3, 3, 3];
    const init = roundToFloat32({ rows: 6, cols: 3, data: Float64Array.from(initData) });
    const tensor = tf.tensor2d(Float32Array.from(x.data), [250, 3]);
    const m = await readFeatureMatrix(tensor);
    const run = await boundedLloyd(tensor, m, Float64Array.from(init.data), {
      k: 6,
      iterations: 30,
      emptyClusters: 'split-largest',
      chunkElements: 1 << 22,
    });
    expect(run.rowsScored[0]).toBe(250);
    expect(Math.min(...run.rowsScored.slice(1))).toBeLessThan(250);
    expect(run.emptyRepaired).toBe(0);
    const expected = lloydReference(x, init, run.iterations);
    expectClose(run.centroids, expected.data, { atol: 1e-5, rtol: 1e-5 });
    // A fixed point: one more reference step changes nothing.
    expectClose(lloydReference(x, init, run.iterations + 1).data, expected.data, { atol: 1e-9 });
    tensor.dispose();
  });
});
