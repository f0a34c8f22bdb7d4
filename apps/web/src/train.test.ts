import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnistBytes } from '@contrastive/fashion-mnist';
import { useBackend } from '@contrastive/test-utils';
import { buildEncoder } from './encoder';
import { backboneEmbed, knnTop1, rawPixels } from './evaluate';
import type { ImageSplit } from './images';
import { WEB_JOB, withEvalSizes } from './job';
import { trainSimclr, trainingPlan } from './train';

/** The first `count` images of a split, as the page's asset holds them. */
async function split(name: 'train' | 'test', count: number): Promise<ImageSplit> {
  const bytes = await loadFashionMnistBytes({ split: name });
  return { count, pixels: bytes.images.slice(0, count * 784), labels: bytes.labels.slice(0, count) };
}

describe("the page's job, in Node on wasm", () => {
  let train: ImageSplit;
  let test: ImageSplit;
  beforeAll(async () => {
    await useBackend('wasm');
    [train, test] = await Promise.all([split('train', 512), split('test', 64)]);
  });

  it('plans whole batches, the linear lr scaling and the step cap', () => {
    expect(trainingPlan(WEB_JOB, 4096)).toEqual({ batchSize: 128, stepsPerEpoch: 32, totalSteps: 64, learningRate: (0.15 * 128) / 256 });
    expect(trainingPlan(WEB_JOB, 4096, { batchSize: 16, maxSteps: 6 })).toEqual({
      batchSize: 16,
      stepsPerEpoch: 256,
      totalSteps: 6,
      learningRate: (0.15 * 16) / 256,
    });
  });

  it('eight steps at batch 64 lower the loss, leak nothing, and the kNN protocol scores above chance', async () => {
    const job = withEvalSizes(WEB_JOB, { bankImages: 128, queryImages: 64 });
    const encoder = buildEncoder(job);
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const logged = await trainSimclr(encoder, train, job, { maxSteps: 8, batchSize: 64 }, (l) => seen.push(l.step));
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([1, 3, 5, 7]);
    const losses = logged.map((l) => l.loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    process.stdout.write(`losses ${losses.join(' ')}\n`);
    expect(losses[3]!).toBeLessThan(losses[0]!);
    for (const embed of [backboneEmbed(encoder), rawPixels]) expect(await knnTop1(embed, train, test, job)).toBeGreaterThan(20);
    encoder.model.dispose();
  });
});
