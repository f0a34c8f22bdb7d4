import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInMemoryDataset } from '@contrastive/data';
import { expectNoLeakAsync, useBackend } from '@contrastive/test-utils';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImageFolder } from '@contrastive/data';
import { augmentedProbeScore, decodeProbeCrops, finalProbe, probeCrops, tensorProbeCrops } from './augmented-probe';
import { buildEncoder } from './build-encoder';
import { backboneFeatures, extractFeatures } from './features';

beforeAll(async () => {
  await useBackend('cpu');
});

/** n 16x16 RGB images; class c (i mod 3) is bright in channel c, with a seeded texture. */
function coloured(n: number) {
  const pixels = new Uint8Array(n * 16 * 16 * 3);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 256; p++) {
      for (let c = 0; c < 3; c++) pixels[(i * 256 + p) * 3 + c] = (c === labels[i] ? 160 : 40) + ((p * 37 + i * 11 + c * 5) % 64);
    }
  }
  return createInMemoryDataset(pixels, labels, [16, 16, 3], { numClasses: 3 });
}

const normalize = (x: tf.Tensor4D) => tf.sub(x, 0.5) as tf.Tensor4D;

describe('tensorProbeCrops', () => {
  it('cuts fresh seeded RandomResizedCrop + flip views every epoch, with the batch labels', async () => {
    const data = coloured(12);
    const read = async (seed: number, epoch: number) => {
      const out: { images: number[]; labels: number[] }[] = [];
      for await (const b of tensorProbeCrops(data, { size: 8, normalize, seed }).epoch(epoch, 5)) {
        expect(b.images.shape).toEqual([b.labels.shape[0], 8, 8, 3]);
        out.push({ images: Array.from(await b.images.data()), labels: Array.from(await b.labels.data()) });
        tf.dispose([b.images, b.labels]);
      }
      return out;
    };
    const e0 = await expectNoLeakAsync(() => read(1, 0), 0);
    expect(e0.map((b) => b.labels.length)).toEqual([5, 5, 2]);
    expect(await read(1, 0)).toEqual(e0);
    const e1 = await read(1, 1);
    expect(e1.flatMap((b) => b.images)).not.toEqual(e0.flatMap((b) => b.images));
    // Every image of the dataset once per epoch, with its own label.
    expect(e1.flatMap((b) => b.labels).sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  });
});

describe('decodeProbeCrops', () => {
  it('cuts the crops at decode from an ImageFolder (full image), fresh each epoch; probeCrops picks it for such datasets', async () => {
    const root = await mkdtemp(join(tmpdir(), 'probe-crops-'));
    try {
      for (const [c, name] of ['a', 'b'].entries()) {
        await mkdir(join(root, name));
        for (let i = 0; i < 4; i++) {
          const raw = Buffer.alloc(30 * 40 * 3, 0).map((_, k) => (k % 3 === c ? 200 : 30) + ((k * 7 + i * 13) % 50));
          await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } }).png().toFile(join(root, name, `${i}.png`));
        }
      }
      const folder = await loadImageFolder(root, { size: 12 });
      const crops = decodeProbeCrops(folder, { size: 8, normalize, seed: 1 });
      const read = async (epoch: number) => {
        const values: number[] = [];
        const labels: number[] = [];
        for await (const b of crops.epoch(epoch, 3)) {
          expect(b.images.shape).toEqual([b.labels.shape[0], 8, 8, 3]);
          values.push(...(await b.images.data()));
          labels.push(...(await b.labels.data()));
          tf.dispose([b.images, b.labels]);
        }
        return { values, labels };
      };
      const e0 = await read(0);
      expect(e0.labels.sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
      expect((await read(1)).values).not.toEqual(e0.values);
      // probeCrops takes the decode path for an ImageFolder: the very same crops.
      const chosen: number[] = [];
      for await (const b of probeCrops(folder, { size: 8, normalize, seed: 1 }).epoch(0, 3)) {
        chosen.push(...(await b.images.data()));
        tf.dispose([b.images, b.labels]);
      }
      expect(chosen).toEqual(e0.values);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('augmentedProbeScore', () => {
  it('trains the probe on augmented crops through a frozen backbone in eval mode and tests on fixed features', async () => {
    const train = coloured(48);
    const test = coloured(15);
    const encoder = buildEncoder({ backbone: 'conv-net', convChannels: [4, 8], head: 'linear', projectionDim: 4, batchNormGroups: 1 }, [12, 12, 3], 3);
    const embed = backboneFeatures(encoder);
    const centre = (x: tf.Tensor4D) => normalize(tf.slice(x, [0, 2, 2, 0], [-1, 12, 12, -1]) as tf.Tensor4D);
    const queries = await extractFeatures(embed, test, centre);
    const before = await Promise.all(encoder.model.weights.map((w) => w.read().data()));
    const crops = tensorProbeCrops(train, { size: 12, normalize, seed: 2 });
    const result = await expectNoLeakAsync(
      () => augmentedProbeScore(embed, crops, queries, { preset: 'fast', epochs: 3, numClasses: 3, seed: 2 }),
      0,
    );
    expect(result.epochs).toBe(3);
    expect(result.top1).toBeGreaterThan(100 / 3);
    expect(result.bestTestOptimistic).toBeGreaterThanOrEqual(result.top1);
    // Frozen: no weight and no BN running statistic moved.
    const after = await Promise.all(encoder.model.weights.map((w) => w.read().data()));
    after.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(before[i]!)));
    queries.features.dispose();
    encoder.model.dispose();
  });

  it('finalProbe follows eval.linearProbeAugmented (whole training set, crops) or trains on the bank features, or skips', async () => {
    const train = coloured(24);
    const test = coloured(9);
    const encoder = buildEncoder({ backbone: 'conv-net', convChannels: [4], head: 'linear', projectionDim: 4, batchNormGroups: 1 }, [12, 12, 3], 5);
    const embed = backboneFeatures(encoder);
    const centre = (x: tf.Tensor4D) => normalize(tf.slice(x, [0, 2, 2, 0], [-1, 12, 12, -1]) as tf.Tensor4D);
    const sets = { bank: await extractFeatures(embed, train, centre), queries: await extractFeatures(embed, test, centre) };
    const augment = { size: 12, train: centre, eval: centre, normalize };
    const context = { encoder, sets, trainImages: train, augment, numClasses: 3 };
    const evalConfig = (linearProbe: string, linearProbeAugmented: boolean) => ({ eval: { linearProbe, linearProbeEpochs: 2, linearProbeAugmented }, seed: 1 });
    const augmented = await finalProbe(evalConfig('moco', true), context);
    const fixed = await finalProbe(evalConfig('moco', false), context);
    expect(augmented?.epochs).toBe(2);
    expect(fixed?.epochs).toBe(2);
    for (const probe of [augmented!, fixed!]) expect(probe.top1 >= 0 && probe.top1 <= 100).toBe(true);
    expect(await finalProbe(evalConfig('none', true), context)).toBeUndefined();
    tf.dispose([sets.bank.features, sets.queries.features]);
    encoder.model.dispose();
  });
});
