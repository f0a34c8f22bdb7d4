import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, randomMatrix, toTensor2d, useBackend } from '@contrastive/test-utils';
import { createKMeans, kMeans } from './index';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('createKMeans', () => {
  it('fits, assigns, round-trips its state and frees everything on dispose', async () => {
    const before = tf.memory().numTensors;
    const features = toTensor2d(randomMatrix(1, 60, 3));
    const model = createKMeans({ k: 4, seed: 5 });
    expect(model.fitted).toBe(false);
    const summary = await model.fit(features);
    expect(model.fitted).toBe(true);
    const direct = await kMeans(features, { k: 4, seed: 5 });
    expect(Array.from(summary.assignment)).toEqual(Array.from(direct.assignment));
    const copy = model.centroids();
    expect(copy.shape).toEqual([4, 3]);
    expectClose(copy, direct.centroids);
    const assigned = await model.assign(features);
    expect(Array.from(assigned.assignment)).toEqual(Array.from(direct.assignment));

    const state = await model.getState();
    const other = createKMeans({ k: 4 });
    other.setState(JSON.parse(JSON.stringify(state)));
    expect(Array.from((await other.assign(features)).assignment)).toEqual(Array.from(direct.assignment));
    tf.dispose([copy, direct.centroids, features]);
    model.dispose();
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(model.fit(features)).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('rejects bad options, unfitted use and bad state', () => {
    expect(() => createKMeans({ k: 0 })).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'k' }));
    expect(() => createKMeans({ k: 2, init: 'x' as 'random' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_NAME', argument: 'init' }));
    const model = createKMeans({ k: 2 });
    expect(() => model.centroids()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'model' }));
    expect(() => model.setState({ k: 3, d: 1, centroids: [1, 2, 3] })).toThrow(expect.objectContaining({ argument: 'state' }));
    model.dispose();
  });
});
