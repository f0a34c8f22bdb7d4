import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainApp } from '@contrastive/app-kit';
import { resolveConfig } from '@contrastive/train';
import { cctApp, cctSchema, CCT_PRESETS } from './index';

const out = mkdtempSync(join(tmpdir(), 'cct-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
type PresetName = keyof typeof CCT_PRESETS;

function valueAt(preset: PresetName, path: string): unknown {
  const config = resolveConfig(cctSchema, CCT_PRESETS[preset]) as Record<string, unknown>;
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
}

describe('cct presets', () => {
  it('every preset validates', () => {
    for (const preset of Object.values(CCT_PRESETS)) expect(() => resolveConfig(cctSchema, preset)).not.toThrow();
  });

  // Key values of the paper presets against spec/losses.md §6(b)-(c) (and §0.4, §0.5, §1(c)).
  it.each([
    ['paper-cifar10', 'model.backbone', 'small-alexnet'], // §6(c): SmallAlexNet
    ['paper-cifar10', 'model.head', 'cacr'], // §6(c): fc8 -> 128
    ['paper-cifar10', 'augment.views', 5], // §6(a): Ny = 4 -> 5 crops
    ['paper-cifar10', 'augment.preset', 'cacr-cifar'], // §0.5 CACR protocol
    ['paper-cifar10', 'train.batchSize', 128], // §6(b): Ns = 128
    ['paper-cifar10', 'train.epochs', 200], // §6(c)
    ['paper-cifar10', 'optimizer.name', 'sgd'], // §6(c)
    ['paper-cifar10', 'optimizer.lr', 0.12], // §6(c): 0.12 x B/256
    ['paper-cifar10', 'optimizer.lrScaling', 'linear'],
    ['paper-cifar10', 'optimizer.momentum', 0.9], // §6(c)
    ['paper-cifar10', 'optimizer.weightDecay', 1e-4], // §6(c)
    ['paper-cifar10', 'schedule.decay', 'multi-step'], // §6(c)
    ['paper-cifar10', 'schedule.gamma', 0.1], // §6(c)
    ['paper-cifar10', 'eval.linearProbe', 'align-uniform'], // §6(c), §7.3
    ['paper-cifar10', 'method.form', 'small-scale'],
    ['paper-cifar10', 'method.tPos', 1], // §6(b)
    ['paper-cifar10', 'method.tNeg', 0.9], // §6(b): CIFAR-10 README
    ['paper-cifar10', 'method.alpha', 1], // §6(b)
    ['paper-cifar10', 'method.beta', 1], // §6(b)
    ['paper-cifar10', 'method.detachWeights', false], // §6(a), §6(e): small-scale does not detach
    ['paper-cifar100', 'method.tNeg', 2], // §6(b)
    ['paper-cifar100', 'data.dataset', 'cifar100'],
    ['paper-stl10', 'data.dataset', 'stl10'],
    ['paper-stl10', 'data.stl10Split', 'train+unlabeled'], // §0.5
    ['paper-stl10', 'augment.preset', 'cacr-stl10'], // §0.5: crop 64
    ['paper-stl10', 'method.tNeg', 2], // §6(b) README
    ['paper-stl10', 'method.beta', 1], // §6(b) README
    ['paper-imagenet', 'method.form', 'queue'], // §6(a) MoCo v2 based
    ['paper-imagenet', 'model.backbone', 'resnet50'], // §6(c)
    ['paper-imagenet', 'model.head', 'moco-v2'], // §6(b): --mlp
    ['paper-imagenet', 'augment.preset', 'moco-v2'], // §6(b)-(c): aug+
    ['paper-imagenet', 'augment.views', 5], // §6(c): 5 crops
    ['paper-imagenet', 'train.batchSize', 256], // §6(b)-(c)
    ['paper-imagenet', 'train.epochs', 200], // §6(c)
    ['paper-imagenet', 'optimizer.lr', 0.03], // §6(b)-(c)
    ['paper-imagenet', 'optimizer.weightDecay', 1e-4], // §6(c)
    ['paper-imagenet', 'schedule.decay', 'cosine'], // §6(b) --cos
    ['paper-imagenet', 'method.queueSize', 65536], // §6(b)
    ['paper-imagenet', 'method.momentum', 0.999], // §6(b)
    ['paper-imagenet', 'method.tNeg', 2], // §6(b)
    ['paper-imagenet', 'method.alpha', 1], // §6(b) README
    ['paper-imagenet', 'eval.linearProbe', 'moco'], // §6(c): lr 30, batch 256
  ])('%s sets %s = %s', (preset, path, value) => {
    expect(valueAt(preset as PresetName, path)).toBe(value);
  });

  it('paper-cifar10 drops the lr at epochs 155, 170 and 185 (spec §6(c))', () => {
    expect(valueAt('paper-cifar10', 'schedule.milestones')).toEqual([155, 170, 185]);
  });
});

describe('cct app', () => {
  it.each([
    ['smoke', 3],
    ['smoke-queue', 3],
  ])('runs the %s preset end to end on wasm', async (preset) => {
    const result = await trainApp(cctApp, { preset, backend: 'wasm', outDir: out, stream: quiet });
    expect(result.backend).toBe('wasm');
    expect(result.epochs).toBe(2);
    expect(result.knn.top1).toBeGreaterThan(0);
    expect(result.linearProbe?.top1).toBeGreaterThan(0);
    expect(Number.isFinite(result.uniformity)).toBe(true);
  });

  it('continues a killed queue-form run from its checkpoint (momentum weights and queue)', async () => {
    const killed = await trainApp(cctApp, {
      preset: 'smoke-queue',
      sets: ['eval.linearProbe="none"'],
      backend: 'wasm',
      outDir: join(out, 'resume'),
      stream: quiet,
      onEpochEnd: (epoch) => {
        if (epoch === 1) throw new Error('killed after epoch 1');
      },
    }).catch((e: unknown) => e as Error);
    expect((killed as Error).message).toBe('killed after epoch 1');
    const runs = readdirSync(join(out, 'resume'));
    expect(runs).toHaveLength(1);
    const resumed = await trainApp(cctApp, { resume: join(out, 'resume', runs[0]!), backend: 'wasm', stream: quiet });
    expect(resumed.epochs).toBe(2);
    expect(resumed.knn.top1).toBeGreaterThan(0);
  });

  it('needs the dataset folder of a paper preset', async () => {
    const error = await trainApp(cctApp, { preset: 'paper-cifar10', outDir: out, stream: quiet }).catch((e: unknown) => e as Error);
    expect((error as { code?: string }).code).toBe('NOT_FOUND');
  });
});
