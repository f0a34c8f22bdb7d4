import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeFile } from './__fixtures__/formats';
import { availableParallelism } from 'node:os';
import { createDecodeQueue } from './decode-queue';
import { createLoader, decodeThreadPoolEnv, decodeThreads, loadImageFolder, type Dataset, type ImageBatch } from './index';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('createDecodeQueue', () => {
  it('runs at most `limit` jobs at once, first in first out, and frees a slot on failure', async () => {
    const queue = createDecodeQueue(3);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const jobs = Array.from({ length: 20 }, (_, i) =>
      queue.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await tick();
        running--;
        if (i === 4) throw new Error('job 4 failed');
        return i * 10;
      }),
    );
    expect(queue.stats()).toEqual({ running: 3, waiting: 17, peakRunning: 3 });
    const outcomes = await Promise.allSettled(jobs);
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(outcomes[4]).toMatchObject({ status: 'rejected' });
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<number>).value)).toEqual(
      Array.from({ length: 20 }, (_, i) => i * 10).filter((v) => v !== 40),
    );
    expect(queue.stats()).toEqual({ running: 0, waiting: 0, peakRunning: 3 });
  });
});

describe('decode threads', () => {
  it("read libuv's pool size from UV_THREADPOOL_SIZE (default 4) and size a new process's pool to the cores", () => {
    expect(decodeThreads({})).toBe(4);
    expect(decodeThreads({ UV_THREADPOOL_SIZE: '12' })).toBe(12);
    expect(decodeThreads({ UV_THREADPOOL_SIZE: 'many' })).toBe(4);
    expect(decodeThreads({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024);
    expect(decodeThreadPoolEnv({ UV_THREADPOOL_SIZE: '3' })).toBeUndefined();
    const env = decodeThreadPoolEnv({ HOME: '/h' })!;
    expect(env['HOME']).toBe('/h');
    expect(decodeThreads(env)).toBe(Math.max(availableParallelism(), 4));
  });
});

describe('bounded decoding', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    tmp = tempDir('queue');
    const image = await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 9, g: 99, b: 199 } } }).png().toBuffer();
    for (let i = 0; i < 24; i++) writeFile(join(tmp.dir, `c${i % 3}`, `${i}.png`), image);
    await tf.setBackend('cpu');
  });
  afterAll(() => tmp.cleanup());

  it('an ImageFolder never decodes more than `concurrency` images at once, over all pending batches', async () => {
    const ds = await loadImageFolder(tmp.dir, { size: 8, concurrency: 3 });
    const all = Array.from({ length: 24 }, (_, i) => i);
    await Promise.all([ds.get(all), ds.getViews(all, { count: 2, size: [8, 8], scale: [0.08, 1], ratio: [0.75, 4 / 3], seed: 0, epoch: 0 })]);
    expect(ds.decodeStats()).toEqual({ running: 0, waiting: 0, peakRunning: 3 });
  });

  it('the loader keeps at most prefetch + 1 batches in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const inner = await loadImageFolder(tmp.dir, { size: 8 });
    const counting: Dataset = {
      ...inner,
      async get(indices: ArrayLike<number>): Promise<ImageBatch> {
        inFlight++;
        peak = Math.max(peak, inFlight);
        try {
          return await inner.get(indices);
        } finally {
          inFlight--;
        }
      },
    };
    for (const prefetch of [0, 2]) {
      peak = 0;
      let steps = 0;
      for await (const b of createLoader(counting, { batchSize: 2, prefetch }).epoch(0)) {
        await tick(); // training time: the queue fills up meanwhile
        tf.dispose([b.images, b.labels]);
        steps++;
      }
      expect(steps).toBe(12);
      expect(peak).toBe(prefetch + 1);
    }
  });
});
