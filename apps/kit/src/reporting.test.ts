import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@contrastive/backend';
import { getAugmentPreset } from '@contrastive/augment';
import type { Dataset } from '@contrastive/data';
import { loadFashionMnist } from '@contrastive/fashion-mnist';
import { resolveConfig } from '@contrastive/train';
import { buildEncoder } from './build-encoder';
import { buildSchedule } from './build-optimizer';
import { appConfigSchema, type BaseConfig } from './config-schema';
import { disposeEvalSets, embedEvalSets, rawPixelKnn, RAW_PIXEL_MAX_ELEMENTS } from './evaluate';
import { defineApp } from './method';
import { stratifiedSubset } from './open-data';
import { trainApp } from './train-app';

const out = mkdtempSync(join(tmpdir(), 'kit-reporting-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

const schema = appConfigSchema(z.object({}));
const smoke = {
  seed: 1,
  backend: 'wasm',
  data: { dataset: 'fashion-mnist', trainLimit: 128, evalTrainLimit: 100, evalTestLimit: 50 },
  augment: { preset: 'fashion-mnist-cpu', views: 2 },
  model: { backbone: 'conv-net', convChannels: [4, 8], head: 'linear', projectionDim: 16 },
  optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 },
  schedule: { decay: 'cosine' },
  train: { epochs: 2, batchSize: 16, maxStepsPerEpoch: 2, logEvery: 1 },
  eval: { knnEvery: 1, knnK: 10, linearProbe: 'none', scatterPoints: 20 },
  method: {},
};
const toyApp = defineApp({
  name: 'toy',
  title: 'reporting test',
  schema,
  presets: { smoke },
  presetDescriptions: { smoke: 'test' },
  createMethod: (context) => ({
    loss(views) {
      const z1 = context.encoder.forward(views[0]!).projections;
      const z2 = context.encoder.forward(views[1]!).projections;
      return tf.mean(tf.square(tf.sub(z1, z2))) as tf.Scalar;
    },
    dispose() {},
  }),
});

/**
 * Float64 weighted kNN (spec §7.2) written out: cosine of the normalised
 * Fashion-MNIST pixels ((x/255 - 0.286)/0.353), top k, weights exp(s/t),
 * argmax of the class sums (ties to the lower class).
 */
async function referenceRawPixelTop1(bank: Dataset, queries: Dataset, k: number, t: number): Promise<number> {
  const rows = async (d: Dataset) => {
    const batch = await d.get(Array.from({ length: d.length }, (_, i) => i));
    const dim = batch.images.length / d.length;
    return Array.from({ length: d.length }, (_, i) => {
      const v = Array.from(batch.images.subarray(i * dim, (i + 1) * dim), (x) => (x / 255 - 0.286) / 0.353);
      const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      return v.map((x) => x / norm);
    });
  };
  const b = await rows(bank);
  const q = await rows(queries);
  const bankLabels = await bank.labels();
  const queryLabels = await queries.labels();
  let correct = 0;
  q.forEach((row, i) => {
    const sims = b.map((r, j) => ({ s: r.reduce((acc, x, c) => acc + x * row[c]!, 0), label: bankLabels[j]! }));
    sims.sort((x, y) => y.s - x.s);
    const scores = new Float64Array(10);
    for (const n of sims.slice(0, k)) scores[n.label] += Math.exp(n.s / t);
    let best = 0;
    for (let c = 1; c < 10; c++) if (scores[c]! > scores[best]!) best = c;
    if (best === queryLabels[i]) correct++;
  });
  return (100 * correct) / q.length;
}

describe('raw-pixel kNN', () => {
  let bank: Dataset;
  let queries: Dataset;
  beforeAll(async () => {
    await setBackend('wasm');
    bank = await stratifiedSubset(await loadFashionMnist({ split: 'train' }), 200, 3);
    queries = await stratifiedSubset(await loadFashionMnist({ split: 'test' }), 60, 4);
  });

  it('is the weighted kNN of the normalised, flattened pixels (a float64 reference)', async () => {
    const transform = getAugmentPreset('fashion-mnist-cpu').eval;
    const before = tf.memory().numTensors;
    const raw = await rawPixelKnn({ evalTrain: bank, evalTest: queries }, transform, { k: 20, t: 0.1, numClasses: 10, pixels: 784, seed: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(raw.bank).toBe(200);
    expect(raw.queries).toBe(60);
    expect(raw.top1).toBeCloseTo(await referenceRawPixelTop1(bank, queries, 20, 0.1), 9);
    expect(raw.top1).toBeGreaterThan(40); // pixels of Fashion-MNIST are far from chance (10%)
  });

  it('uses seeded stratified subsets when a set exceeds RAW_PIXEL_MAX_ELEMENTS', async () => {
    const transform = getAugmentPreset('fashion-mnist-cpu').eval;
    // Pretend each image has RAW_PIXEL_MAX_ELEMENTS / 50 values: at most 50 images fit.
    const raw = await rawPixelKnn({ evalTrain: bank, evalTest: queries }, transform, {
      k: 20,
      t: 0.1,
      numClasses: 10,
      pixels: RAW_PIXEL_MAX_ELEMENTS / 50,
      seed: 0,
    });
    expect(raw.bank).toBe(50);
    expect(raw.queries).toBe(50);
    const expected = await referenceRawPixelTop1(await stratifiedSubset(bank, 50, 5), await stratifiedSubset(queries, 50, 6), 20, 0.1);
    expect(raw.top1).toBeCloseTo(expected, 9);
  });

  it('embeds projections for the kNN monitor when eval.knnFeatures is projection', async () => {
    const config = resolveConfig(schema, smoke) as BaseConfig;
    const encoder = buildEncoder(config.model, [28, 28, 1], 0);
    const transform = getAugmentPreset('fashion-mnist-cpu').eval;
    const h = await embedEvalSets(encoder, { evalTrain: queries, evalTest: queries }, transform);
    const z = await embedEvalSets(encoder, { evalTrain: queries, evalTest: queries }, transform, 'projection');
    expect(h.bank.features.shape).toEqual([60, 8]);
    expect(z.bank.features.shape).toEqual([60, 16]);
    disposeEvalSets(h);
    disposeEvalSets(z);
    encoder.model.dispose();
  });
});

describe('trainApp reporting', () => {
  it('logs raw-pixel and random-init references, alignment and uniformity at every monitored epoch, and draws them', async () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WritableStream;
    const result = await trainApp(toyApp, { preset: 'smoke', outDir: out, stream });
    expect(result.knnRawPixels.bank).toBe(100);
    expect(result.knnRawPixels.queries).toBe(50);
    expect(result.knnRawPixels.top1).toBeGreaterThan(20);
    expect(lines.join('')).toContain(`on raw pixels: ${result.knnRawPixels.top1.toFixed(2)}%`);
    const records = readFileSync(join(result.runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const reference = records.find((r) => r['kind'] === 'knn-reference')!;
    expect(reference['knnTop1RawPixels']).toBe(result.knnRawPixels.top1);
    expect(reference['knnTop1RandomInit']).toBe(result.knnRandomInit.top1);
    const monitored = records.filter((r) => r['kind'] === 'knn');
    expect(monitored.map((r) => r['epoch'])).toEqual([0, 1, 2]);
    for (const r of monitored) {
      expect(Number.isFinite(r['alignment'])).toBe(true);
      expect(Number.isFinite(r['uniformity'])).toBe(true);
    }
    const html = readFileSync(result.reportPath, 'utf8');
    expect(html).toMatch(/id="chart-knn" data-points="\d+" data-references="2"/);
    expect(html).toMatch(/id="chart-alignment" data-points="[34]"/);
    expect(html).toContain('raw pixels');
  });

  it('continues a run that predates raw-pixel references by measuring them', async () => {
    // (resume path) a run folder without a knn-reference record still reports the raw pixels.
    const dir = join(out, 'old');
    await trainApp(toyApp, {
      preset: 'smoke',
      outDir: dir,
      stream: quiet,
      onEpochEnd: (epoch, run) => {
        if (epoch === 1) {
          const path = join(run.dir, 'metrics.jsonl');
          const kept = readFileSync(path, 'utf8')
            .split('\n')
            .filter((l) => !l.includes('knn-reference'))
            .join('\n');
          writeFileSync(path, kept);
          throw new Error('killed');
        }
      },
    }).catch(() => undefined);
    const runs = readdirSync(dir);
    const resumed = await trainApp(toyApp, { resume: join(dir, runs[0]!), stream: quiet });
    expect(resumed.knnRawPixels.bank).toBe(100);
    expect(Number.isFinite(resumed.knnRawPixels.top1)).toBe(true);
  });
});

describe('config fields a model or schedule does not use', () => {
  const fail = (preset: unknown) => {
    try {
      resolveConfig(schema, preset);
    } catch (error) {
      return error as Error & { issues: { path: string; message: string }[] };
    }
    throw new Error('expected a ConfigError');
  };

  it('rejects model.stem and zeroInitResidual on a conv-net, convChannels on a ResNet', () => {
    const stem = fail({ ...smoke, model: { ...smoke.model, stem: 'cifar', zeroInitResidual: true } });
    expect(stem.issues.map((i) => i.path).sort()).toEqual(['model.stem', 'model.zeroInitResidual']);
    expect(stem.issues[0]!.message).toContain("not used by backbone 'conv-net'");
    const channels = fail({ ...smoke, model: { backbone: 'resnet18', convChannels: [8], head: 'linear' } });
    expect(channels.issues.map((i) => i.path)).toEqual(['model.convChannels']);
    expect(() => resolveConfig(schema, { ...smoke, model: { backbone: 'resnet18', stem: 'imagenet', zeroInitResidual: true, head: 'linear' } })).not.toThrow();
  });

  it('model.convPoolGrid keeps a g x g grid of conv-net features, and only a conv-net takes it', async () => {
    await setBackend('cpu');
    const config = resolveConfig(schema, { ...smoke, model: { ...smoke.model, convPoolGrid: 2 } }) as BaseConfig;
    const encoder = buildEncoder(config.model, [28, 28, 1], 0);
    expect(encoder.featureDim).toBe(32); // [4, 8]: 14x14 map -> 2x2 cells of 8 channels
    encoder.model.dispose();
    const bad = fail({ ...smoke, model: { backbone: 'resnet18', convPoolGrid: 2, head: 'linear' } });
    expect(bad.issues.map((i) => i.path)).toEqual(['model.convPoolGrid']);
  });

  it('warms up for schedule.warmupSteps steps, never together with warmupEpochs', () => {
    const both = fail({ ...smoke, schedule: { decay: 'cosine', warmupEpochs: 1, warmupSteps: 10 } });
    expect(both.issues.map((i) => i.path)).toEqual(['schedule.warmupSteps']);
    const config = resolveConfig(schema, { ...smoke, schedule: { decay: 'cosine', warmupSteps: 10 } }) as BaseConfig;
    const schedule = buildSchedule(config.schedule, config.optimizer, { batchSize: 256, epochs: 2, stepsPerEpoch: 100 });
    expect(schedule(0)).toBe(0);
    expect(schedule(5)).toBeCloseTo(0.05 * 0.5, 12);
    expect(schedule(10)).toBeCloseTo(0.05, 12);
  });
});
