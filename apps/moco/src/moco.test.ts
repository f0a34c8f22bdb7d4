import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEncoder, trainApp, type MethodContext } from '@contrastive/app-kit';
import { useBackend } from '@contrastive/test-utils';
import { createRng, l2Normalize } from '@contrastive/core';
import { resolveConfig } from '@contrastive/train';
import { createMomentumBranch } from '@contrastive/app-kit';
import { mocoApp, mocoSchema, MOCO_PRESETS, type MocoConfig } from './index';

const out = mkdtempSync(join(tmpdir(), 'moco-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const get = (config: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);

describe('moco presets', () => {
  it('every preset validates', () => {
    for (const preset of Object.values(MOCO_PRESETS)) expect(() => resolveConfig(mocoSchema, preset)).not.toThrow();
  });

  // Key values of the paper presets against spec/losses.md §0.4-§1(c).
  it.each([
    ['paper-imagenet', 'model.backbone', 'resnet50'], // §1(c) MoCo v1/v2: ResNet-50
    ['paper-imagenet', 'model.head', 'moco-v2'], // §1(b) v2: MLP 2048-2048-128
    ['paper-imagenet', 'augment.preset', 'moco-v2'], // §0.5 aug+
    ['paper-imagenet', 'method.temperature', 0.2], // §1(b) v2 tau
    ['paper-imagenet', 'method.queueSize', 65536], // §1(b) K
    ['paper-imagenet', 'method.momentum', 0.999], // §1(b) m
    ['paper-imagenet', 'method.shuffleKeys', true], // §0.4 shuffle-BN
    ['paper-imagenet', 'optimizer.name', 'sgd'], // §1(c)
    ['paper-imagenet', 'optimizer.lr', 0.03], // §1(c) 0.03 per 256
    ['paper-imagenet', 'optimizer.lrScaling', 'linear'],
    ['paper-imagenet', 'optimizer.momentum', 0.9], // §1(c)
    ['paper-imagenet', 'optimizer.weightDecay', 1e-4], // §1(c)
    ['paper-imagenet', 'schedule.decay', 'cosine'], // §1(c) v2 cosine
    ['paper-imagenet', 'schedule.per', 'epoch'], // §1(c) set once per epoch
    ['paper-imagenet', 'train.epochs', 200], // §1(c)
    ['paper-imagenet', 'train.batchSize', 256], // §1(c)
    ['paper-imagenet-v1', 'model.head', 'linear'], // §1(b) v1: linear fc
    ['paper-imagenet-v1', 'augment.preset', 'moco-v1'], // §0.5 aug
    ['paper-imagenet-v1', 'method.temperature', 0.07], // §1(b) v1 tau
    ['paper-imagenet-v1', 'schedule.decay', 'multi-step'], // §1(c) x0.1 at 120, 160
    ['paper-imagenet-v1', 'method.queueSize', 65536],
    ['paper-cifar10-demo', 'model.backbone', 'resnet18'], // §1(c) demo
    ['paper-cifar10-demo', 'model.stem', 'cifar'],
    ['paper-cifar10-demo', 'model.head', 'linear'], // §1(b) linear 512-128
    ['paper-cifar10-demo', 'model.batchNormGroups', 8], // §1(c) SplitBN 8
    ['paper-cifar10-demo', 'method.queueSize', 4096], // §1(c) K
    ['paper-cifar10-demo', 'method.momentum', 0.99], // §1(c) m
    ['paper-cifar10-demo', 'method.temperature', 0.1], // §1(c) tau
    ['paper-cifar10-demo', 'train.batchSize', 512], // §1(c)
    ['paper-cifar10-demo', 'train.epochs', 200], // §1(c)
    ['paper-cifar10-demo', 'optimizer.lr', 0.06], // §1(c)
    ['paper-cifar10-demo', 'optimizer.weightDecay', 5e-4], // §1(c)
    ['paper-cifar10-demo', 'eval.knnK', 200], // §1(c) kNN k=200
    ['paper-cifar10-demo', 'eval.knnT', 0.1], // §1(c) t=0.1
  ])('%s sets %s = %s', (preset, path, value) => {
    const config = resolveConfig(mocoSchema, MOCO_PRESETS[preset as keyof typeof MOCO_PRESETS]);
    expect(get(config, path)).toBe(value);
  });

  it('paper-imagenet-v1 decays the lr at epochs 120 and 160 (spec §1(c))', () => {
    const config = resolveConfig(mocoSchema, MOCO_PRESETS['paper-imagenet-v1']);
    expect(config.schedule.milestones).toEqual([120, 160]);
    expect(config.schedule.gamma).toBe(0.1);
  });
});

describe('moco momentum branch', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
  const config = resolveConfig(mocoSchema, MOCO_PRESETS.smoke) as MocoConfig;
  const context = (groups: number) => {
    const model = { ...config.model, batchNormGroups: groups };
    const encoder = buildEncoder(model, [8, 8, 1], 3);
    return { config, encoder, rng: createRng(5) } as unknown as MethodContext;
  };

  it('unshuffles the keys: with one BN group the shuffled keys equal the plain ones', () => {
    const ctx = context(1);
    const images = tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const shuffled = createMomentumBranch(ctx, { queueSize: 16, momentum: 0.9, shuffleKeys: true });
    const plain = createMomentumBranch(ctx, { queueSize: 16, momentum: 0.9, shuffleKeys: false });
    shuffled.prepare([images]);
    plain.prepare([images]);
    const a = shuffled.keys();
    const b = plain.keys();
    expect(a.shape).toEqual([8, 128]);
    expect(a.dtype).toBe('float32');
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    tf.dispose(images);
    shuffled.dispose();
    plain.dispose();
    ctx.encoder.model.dispose();
  });

  it('enqueues the keys after the step and moves the key encoder by EMA only', () => {
    const ctx = context(2);
    const images = tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const branch = createMomentumBranch(ctx, { queueSize: 16, momentum: 0.9, shuffleKeys: true });
    const before = tf.tidy(() => ctx.encoder.model.trainableWeights.map((w) => tf.clone(w.read())));
    branch.prepare([images]);
    // The branch frees its keys after the step; keep a copy to compare with the queue.
    const keys = tf.clone(branch.keys());
    expect(branch.queue!.pointer).toBe(0);
    // The online weights move; the key weights follow by m = 0.9.
    tf.tidy(() => ctx.encoder.model.trainableWeights.forEach((w) => w.write(tf.add(w.read(), 1))));
    branch.afterStep();
    expect(branch.queue!.pointer).toBe(8);
    const queued = tf.slice(branch.negatives(), [0, 0], [8, -1]);
    // The queue holds the normalised keys (MoCo enqueues k = normalize(f_k(x))).
    const unit = l2Normalize(keys);
    expect(tf.max(tf.abs(tf.sub(queued, unit))).dataSync()[0]!).toBeLessThan(1e-5);
    const online = ctx.encoder.model.trainableWeights[0]!;
    const key = branch.key.model.weights.find((w) => w.originalName === online.originalName)!;
    const expected = tf.add(before[0]!, 0.1);
    expect(tf.max(tf.abs(tf.sub(key.read(), expected))).dataSync()[0]!).toBeLessThan(1e-5);
    tf.dispose([images, keys, unit, queued, expected, ...before]);
    branch.dispose();
    ctx.encoder.model.dispose();
  });
});

describe('moco app', () => {
  it('runs the smoke preset end to end on wasm', async () => {
    const result = await trainApp(mocoApp, { preset: 'smoke', backend: 'wasm', outDir: out, stream: quiet });
    // A second run frees everything it allocates (key encoder, queue, pending keys, checkpoint copies).
    const before = tf.memory().numTensors;
    await trainApp(mocoApp, { preset: 'smoke', sets: ['eval.linearProbe="none"'], backend: 'wasm', outDir: out, stream: quiet });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.backend).toBe('wasm');
    expect(result.epochs).toBe(2);
    expect(result.knn.top1).toBeGreaterThan(0);
    expect(result.linearProbe?.top1).toBeGreaterThan(0);
    expect(Number.isFinite(result.uniformity)).toBe(true);
  });

  it('needs the dataset folder of a paper preset', async () => {
    const error = await trainApp(mocoApp, { preset: 'paper-cifar10-demo', outDir: out, stream: quiet }).catch((e: unknown) => e as Error);
    expect((error as { code?: string }).code).toBe('NOT_FOUND');
  });
});
