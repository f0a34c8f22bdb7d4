import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainApp } from '@contrastive/app-kit';
import { resolveConfig } from '@contrastive/train';
import { simclrApp, simclrSchema, SIMCLR_PRESETS } from './index';

const out = mkdtempSync(join(tmpdir(), 'simclr-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

describe('simclr presets', () => {
  it('every preset validates', () => {
    for (const preset of Object.values(SIMCLR_PRESETS)) expect(() => resolveConfig(simclrSchema, preset)).not.toThrow();
  });

  // Key values of the paper presets against spec/losses.md §1(b)-(c).
  it.each([
    ['paper-imagenet', 'model.backbone', 'resnet50'], // §1(c): ResNet-50
    ['paper-imagenet', 'optimizer.name', 'lars'], // §1(c): LARS
    ['paper-imagenet', 'optimizer.lr', 0.3], // §1(c): 0.3 x B/256
    ['paper-imagenet', 'optimizer.lrScaling', 'linear'],
    ['paper-imagenet', 'optimizer.momentum', 0.9],
    ['paper-imagenet', 'schedule.warmupEpochs', 10], // §1(c): 10-epoch warmup
    ['paper-imagenet', 'schedule.decay', 'cosine'],
    ['paper-imagenet', 'train.batchSize', 4096], // §1(c)
    ['paper-imagenet', 'method.temperature', 0.1], // §1(b): tau 0.1 code default
    ['paper-imagenet', 'augment.preset', 'simclr-imagenet'], // §0.5
    ['paper-cifar10', 'model.backbone', 'resnet18'], // §1(b) README command
    ['paper-cifar10', 'model.stem', 'cifar'],
    ['paper-cifar10', 'train.batchSize', 512],
    ['paper-cifar10', 'train.epochs', 1000],
    ['paper-cifar10', 'optimizer.lr', 1.0],
    ['paper-cifar10', 'optimizer.lrScaling', 'linear'],
    ['paper-cifar10', 'optimizer.weightDecay', 1e-4],
    ['paper-cifar10', 'method.temperature', 0.5],
  ])('%s sets %s = %s', (preset, path, value) => {
    const config = resolveConfig(simclrSchema, SIMCLR_PRESETS[preset as keyof typeof SIMCLR_PRESETS]) as Record<string, unknown>;
    const actual = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
    expect(actual).toBe(value);
  });
});

describe('simclr app', () => {
  it('runs the smoke preset end to end on wasm', async () => {
    const result = await trainApp(simclrApp, { preset: 'smoke', backend: 'wasm', outDir: out, stream: quiet });
    expect(result.backend).toBe('wasm');
    expect(result.epochs).toBe(2);
    expect(result.knn.top1).toBeGreaterThan(0);
    expect(result.linearProbe?.top1).toBeGreaterThan(0);
    expect(Number.isFinite(result.uniformity)).toBe(true);
  });

  it('needs the dataset folder of a paper preset', async () => {
    const error = await trainApp(simclrApp, { preset: 'paper-cifar10', outDir: out, stream: quiet }).catch((e: unknown) => e as Error);
    expect((error as { code?: string }).code).toBe('NOT_FOUND');
  });
});
