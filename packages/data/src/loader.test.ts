import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContrastiveError } from '@contrastive/core';
import { expectError } from './__fixtures__/formats';
import { createInMemoryDataset, createLoader, subsetDataset, type Dataset, type LoaderBatch } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 10;
/** Image i is 2x2x1 with pixels 10i, 10i+1, 10i+2, 10i+3; label i % 3. */
function makeDataset(n = N): Dataset {
  const images = Uint8Array.from({ length: n * 4 }, (_, k) => Math.floor(k / 4) * 10 + (k % 4));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  return createInMemoryDataset(images, labels, [2, 2, 1], { classNames: ['a', 'b', 'c'] });
}

interface Seen {
  indices: number[];
  sizes: number[];
  steps: number[];
}

async function collect(batches: AsyncIterable<LoaderBatch>): Promise<Seen> {
  const seen: Seen = { indices: [], sizes: [], steps: [] };
  for await (const b of batches) {
    seen.indices.push(...b.indices);
    seen.sizes.push(b.indices.length);
    seen.steps.push(b.step);
    tf.dispose([b.images, b.labels]);
  }
  return seen;
}

describe('createLoader', () => {
  it('yields float32 NHWC images in [0, 1], int32 labels and the dataset indices', async () => {
    const loader = createLoader(makeDataset(), { batchSize: 4, seed: 3 });
    const it = loader.epoch(0);
    const { value } = await it.next();
    const b = value as LoaderBatch;
    expect(b.images.shape).toEqual([4, 2, 2, 1]);
    expect(b.images.dtype).toBe('float32');
    expect(b.labels.shape).toEqual([4]);
    expect(b.labels.dtype).toBe('int32');
    expect(b.indices).toBeInstanceOf(Int32Array);
    expect([b.epoch, b.step]).toEqual([0, 0]);
    const pixels = await b.images.data();
    const labels = await b.labels.data();
    b.indices.forEach((idx, k) => {
      expect(labels[k]).toBe(idx % 3);
      // float32 division by 255 is correctly rounded, so it equals fround of the exact quotient
      for (let p = 0; p < 4; p++) expect(pixels[k * 4 + p]).toBe(Math.fround((idx * 10 + p) / 255));
    });
    tf.dispose([b.images, b.labels]);
    await it.return();
  });

  it('int32 dtype keeps raw 0..255 values', async () => {
    const loader = createLoader(makeDataset(), { batchSize: 10, shuffle: false, dtype: 'int32' });
    for await (const b of loader.epoch(0)) {
      expect(b.images.dtype).toBe('int32');
      expect(Array.from(await b.images.data()).slice(36)).toEqual([90, 91, 92, 93]);
      tf.dispose([b.images, b.labels]);
    }
  });

  it('visits every index once per epoch, reshuffles per epoch, and is deterministic given the seed', async () => {
    const a = createLoader(makeDataset(), { batchSize: 3, seed: 7 });
    const b = createLoader(makeDataset(), { batchSize: 3, seed: 7 });
    const c = createLoader(makeDataset(), { batchSize: 3, seed: 8 });
    const e0 = await collect(a.epoch(0));
    const e1 = await collect(a.epoch(1));
    expect([...e0.indices].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect([...e1.indices].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(e0.indices).not.toEqual(e1.indices);
    expect(e0.sizes).toEqual([3, 3, 3, 1]);
    expect(e0.steps).toEqual([0, 1, 2, 3]);
    expect((await collect(b.epoch(1))).indices).toEqual(e1.indices);
    expect((await collect(b.epoch(0))).indices).toEqual(e0.indices);
    expect((await collect(c.epoch(0))).indices).not.toEqual(e0.indices);
    expect(Array.from(a.order(1))).toEqual(e1.indices);
    const plain = createLoader(makeDataset(), { batchSize: 4, shuffle: false });
    expect((await collect(plain.epoch(5))).indices).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it('drops the last partial batch when asked', async () => {
    const keep = createLoader(makeDataset(), { batchSize: 4 });
    const drop = createLoader(makeDataset(), { batchSize: 4, dropLast: true });
    expect([keep.stepsPerEpoch, drop.stepsPerEpoch]).toEqual([3, 2]);
    expect((await collect(keep.epoch(2))).sizes).toEqual([4, 4, 2]);
    const dropped = await collect(drop.epoch(2));
    expect(dropped.sizes).toEqual([4, 4]);
    expect(dropped.indices).toEqual(Array.from(drop.order(2).subarray(0, 8)));
  });

  it('resumes from (epoch, step) with the batches an uninterrupted run would see', async () => {
    const loader = createLoader(makeDataset(), { batchSize: 3, seed: 11 });
    const full = await collect(loader.epoch(4));
    const resumed = await collect(createLoader(makeDataset(), { batchSize: 3, seed: 11 }).epoch(4, { startStep: 2 }));
    expect(resumed.steps).toEqual([2, 3]);
    expect(resumed.indices).toEqual(full.indices.slice(6));
    expect((await collect(loader.epoch(4, { startStep: 4 }))).indices).toEqual([]);
    await expectError(loader.epoch(4, { startStep: 5 }).next(), 'OUT_OF_RANGE');
  });

  it('reads ahead up to `prefetch` batches while the current one is in use', async () => {
    const base = makeDataset(40);
    const calls: number[] = [];
    const recording: Dataset = { ...base, get: (ids) => (calls.push(ids[0]!), base.get(ids)), labels: () => base.labels() };
    for (const prefetch of [0, 2, 5]) {
      calls.length = 0;
      const loader = createLoader(recording, { batchSize: 4, prefetch, shuffle: false });
      const it = loader.epoch(0);
      const first = (await it.next()).value as LoaderBatch;
      // While batch 0 is held by the consumer, batches 1..prefetch are already requested.
      expect(calls.length).toBe(1 + prefetch);
      tf.dispose([first.images, first.labels]);
      const second = (await it.next()).value as LoaderBatch;
      expect(second.step).toBe(1);
      expect(calls.length).toBe(Math.min(10, 2 + prefetch));
      tf.dispose([second.images, second.labels]);
      await it.return();
    }
  });

  it('leaks no tensors: two per batch, none after disposing or stopping early', async () => {
    const loader = createLoader(makeDataset(), { batchSize: 4, prefetch: 3 });
    const before = tf.memory().numTensors;
    for await (const b of loader.epoch(0)) {
      expect(tf.memory().numTensors - before).toBe(2);
      tf.dispose([b.images, b.labels]);
    }
    expect(tf.memory().numTensors).toBe(before);
    for await (const b of loader.epoch(1)) {
      tf.dispose([b.images, b.labels]);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('passes on a dataset error from a prefetched batch', async () => {
    const base = makeDataset();
    const failing: Dataset = {
      ...base,
      get: async (ids) => {
        if (ids[0] === 4) throw new ContrastiveError('CORRUPT_DATA', "get: file 'x' record 4 is corrupt");
        return base.get(ids);
      },
      labels: () => base.labels(),
    };
    const before = tf.memory().numTensors;
    const error = await expectError(collect(createLoader(failing, { batchSize: 4, shuffle: false }).epoch(0)), 'CORRUPT_DATA');
    expect(error.message).toContain('record 4');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates its options', async () => {
    const ds = makeDataset();
    for (const [options, argument] of [
      [{ batchSize: 0 }, 'batchSize'],
      [{ prefetch: -1 }, 'prefetch'],
      [{ seed: 0.5 }, 'seed'],
    ] as const) {
      try {
        createLoader(ds, options);
        throw new Error('expected an error');
      } catch (error) {
        expect((error as ContrastiveError).code).toBe('OUT_OF_RANGE');
        expect((error as ContrastiveError).argument).toBe(argument);
      }
    }
    expect(() => createLoader(ds, { dtype: 'uint8' as 'int32' })).toThrow(/dtype/);
  });
});

describe('subsetDataset', () => {
  it('maps subset indices to the parent and back', async () => {
    const sub = subsetDataset(makeDataset(), [9, 2, 5]);
    expect(sub.length).toBe(3);
    const batch = await sub.get([2, 0]);
    expect(Array.from(batch.indices)).toEqual([2, 0]);
    expect(Array.from(batch.labels)).toEqual([2, 0]);
    expect(Array.from(batch.images.subarray(0, 4))).toEqual([50, 51, 52, 53]);
    expect(Array.from(await sub.labels())).toEqual([0, 2, 2]);
    await expectError(sub.get([3]), 'OUT_OF_RANGE');
    expect(() => subsetDataset(makeDataset(), [10])).toThrow(ContrastiveError);
  });
});

describe('createInMemoryDataset', () => {
  it('checks sizes and labels', () => {
    expect(() => createInMemoryDataset(new Uint8Array(5), new Int32Array(1), [2, 2, 1])).toThrow(/images/);
    expect(() => createInMemoryDataset(new Uint8Array(4), Int32Array.from([3]), [2, 2, 1], { numClasses: 3 })).toThrow(/labels/);
  });
});
