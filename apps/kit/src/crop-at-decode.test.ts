import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeAugmentation } from '@contrastive/augment';
import * as data from '@contrastive/data';
import { isContrastiveError } from '@contrastive/core';
import { resolveConfig } from '@contrastive/train';
import { appConfigSchema } from './config-schema';
import { evaluateRun } from './evaluate-run';
import { defineApp } from './method';
import { openAugment } from './open-augment';
import { trainApp } from './train-app';

// Spy on the loader the training loop creates (the real one runs).
vi.mock('@contrastive/data', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@contrastive/data')>();
  return { ...actual, createLoader: vi.fn(actual.createLoader) };
});

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
let root = '';
let out = '';

/** A 2-class ImageFolder of 48x40 PNGs (train/ 8 per class, val/ 3 per class), class c bright in channel c. */
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kit-folder-'));
  out = await mkdtemp(join(tmpdir(), 'kit-folder-runs-'));
  for (const [split, count] of [['train', 8], ['val', 3]] as const) {
    for (const [c, name] of ['a', 'b'].entries()) {
      await mkdir(join(root, split, name), { recursive: true });
      for (let i = 0; i < count; i++) {
        const raw = Buffer.alloc(40 * 48 * 3, 0).map((_, k) => (k % 3 === c ? 190 : 40) + ((k * 7 + i * 13) % 50));
        await sharp(raw, { raw: { width: 48, height: 40, channels: 3 } }).png().toFile(join(root, split, name, `${i}.png`));
      }
    }
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
});
beforeEach(() => {
  vi.mocked(data.createLoader).mockClear();
});
/**
 * The options of the training loader: it drops the last partial batch and is
 * seeded with the run's seed (evaluation creates its own loaders; the
 * random-init baseline's BatchNorm calibration drops its last batch too, under
 * a seed offset).
 */
const trainLoaderOptions = () =>
  vi.mocked(data.createLoader).mock.calls.filter((call) => call[1]?.dropLast === true && call[1].seed === base.seed).map((call) => call[1]!);

const schema = appConfigSchema(z.object({}));
const base = {
  seed: 3,
  backend: 'cpu',
  data: { dataset: 'imagefolder' },
  augment: { preset: 'simclr-cifar', views: 2 },
  model: { backbone: 'conv-net', convChannels: [4, 8], head: 'linear', projectionDim: 8 },
  optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 },
  schedule: { decay: 'cosine' },
  train: { epochs: 1, batchSize: 4, maxStepsPerEpoch: 2, logEvery: 1 },
  eval: { knnEvery: 1, knnK: 3, linearProbe: 'none', scatterPoints: 10 },
  method: {},
};

/** Records the views and datasets the method sees; pulls two views' projections together. */
const seen: { viewShapes: number[][]; datasets: Record<string, readonly number[]> } = { viewShapes: [], datasets: {} };
const app = defineApp({
  name: 'toy-folder',
  title: 'crop at decode test',
  schema,
  presets: { smoke: base, tensorCrops: { ...base, data: { dataset: 'imagefolder', cropAtDecode: false, imageSize: 32 } } },
  presetDescriptions: { smoke: 'test', tensorCrops: 'test' },
  createMethod: (context) => {
    seen.datasets = { train: context.data.train.imageShape, evalTrain: context.data.evalTrain.imageShape, evalTest: context.data.evalTest.imageShape };
    return {
      loss(views) {
        seen.viewShapes.push(...views.map((v) => v.shape));
        const z1 = context.encoder.forward(views[0]!).projections;
        const z2 = context.encoder.forward(views[1]!).projections;
        return tf.mean(tf.square(tf.sub(z1, z2))) as tf.Scalar;
      },
      dispose() {},
    };
  },
});

describe('ImageFolder runs crop at decode (data.cropAtDecode)', () => {
  it('the loader cuts the preset RandomResizedCrop views, the tensor pipeline has no crop, eval decodes Resize + CenterCrop; the run trains and evaluates', async () => {
    seen.viewShapes = [];
    const result = await trainApp(app, { preset: 'smoke', dataRoot: root, outDir: out, stream: quiet });
    const loaders = trainLoaderOptions();
    expect(loaders).toHaveLength(1);
    // simclr-cifar: RandomResizedCrop(32, scale (0.08, 1), ratio (3/4, 4/3)); two views per image, the run's seed.
    expect(loaders[0]!.views).toEqual({ count: 2, size: 32, scale: [0.08, 1], ratio: [3 / 4, 4 / 3], seed: 3 });
    // Alignment's two views of the test images are cut at decode too.
    const alignmentLoaders = vi.mocked(data.createLoader).mock.calls.filter((call) => call[1]?.shuffle === true && call[1].dropLast === false);
    expect(alignmentLoaders.length).toBeGreaterThan(0);
    for (const call of alignmentLoaders) expect(call[1]!.views).toEqual({ count: 2, size: 32, scale: [0.08, 1], ratio: [3 / 4, 4 / 3], seed: 3 });
    // Views of the crop's size from 48x40 images; every dataset decodes Resize(32) + CenterCrop(32).
    expect(seen.viewShapes).toEqual(Array(4).fill([4, 32, 32, 3]));
    expect(seen.datasets).toEqual({ train: [32, 32, 3], evalTrain: [32, 32, 3], evalTest: [32, 32, 3] });
    expect(result.knn.top1).toBeGreaterThanOrEqual(0);
    expect(result.knn.top1).toBeLessThanOrEqual(100);
    expect(Number.isFinite(result.alignment)).toBe(true);
    const evaluation = await evaluateRun(app, result.runDir, { backend: 'cpu', rawPixels: false });
    expect(evaluation.knn).toEqual(result.knn);
  }, 60_000);

  it('the run augmentation starts with the flip and has no crop; eval only normalises', () => {
    const ops = (steps: ReturnType<typeof describeAugmentation>) => (steps ?? []).map((s) => s.op);
    const decoded = openAugment({ preset: 'moco-v2' }, 3, { cropAtDecode: true });
    const tensor = openAugment({ preset: 'moco-v2' }, 3);
    expect(ops(describeAugmentation(tensor.train))[0]).toMatch(/[Cc]rop/);
    expect(ops(describeAugmentation(decoded.train))[0]).toMatch(/[Ff]lip/);
    expect(ops(describeAugmentation(decoded.train)).filter((op) => /[Cc]rop/.test(op))).toEqual([]);
    // eval is Normalize alone: ImageNet statistics, no resize or crop.
    const x = tf.fill([1, 4, 4, 3], 0.5) as tf.Tensor4D;
    const y = decoded.eval(x, { seed: 0 });
    expect(y.shape).toEqual([1, 4, 4, 3]);
    const expected = [0.485, 0.456, 0.406].map((m, c) => (0.5 - m) / [0.229, 0.224, 0.225][c]!);
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i % 3]!, 5));
    tf.dispose([x, y]);
    expect([decoded.decodeCrop, decoded.evalDecode]).toEqual([{ size: 224, scale: [0.2, 1], ratio: [3 / 4, 4 / 3] }, { resize: 256, crop: 224 }]);
  });

  it('cropAtDecode false keeps the imageSize centre square and tensor crops; other datasets reject the flag', async () => {
    seen.viewShapes = [];
    await trainApp(app, { preset: 'tensorCrops', dataRoot: root, outDir: out, stream: quiet });
    const loaders = trainLoaderOptions();
    expect(loaders).toHaveLength(1);
    expect(loaders[0]!.views).toBeUndefined();
    expect(seen.datasets.train).toEqual([32, 32, 3]);
    expect(seen.viewShapes[0]).toEqual([4, 32, 32, 3]);
    let error: unknown;
    try {
      resolveConfig(schema, { ...base, data: { dataset: 'cifar10', cropAtDecode: true } });
    } catch (e) {
      error = e;
    }
    expect(isContrastiveError(error) || error instanceof Error).toBe(true);
    expect(String((error as Error).message)).toContain('cropAtDecode');
  }, 60_000);
});
