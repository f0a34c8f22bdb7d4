import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainApp } from '@contrastive/app-kit';
import { resolveConfig } from '@contrastive/train';
import { dystressApp, dystressSchema, DYSTRESS_PRESETS } from './index';

const out = mkdtempSync(join(tmpdir(), 'dystress-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
type PresetName = keyof typeof DYSTRESS_PRESETS;

function valueAt(preset: PresetName, path: string): unknown {
  const config = resolveConfig(dystressSchema, DYSTRESS_PRESETS[preset]) as Record<string, unknown>;
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
}

describe('dystress presets', () => {
  it('every preset validates', () => {
    for (const preset of Object.values(DYSTRESS_PRESETS)) expect(() => resolveConfig(dystressSchema, preset)).not.toThrow();
  });

  it('rejects tauMax below tauMin', () => {
    expect(() => resolveConfig(dystressSchema, DYSTRESS_PRESETS.smoke, ['method.tauMax=0.05'])).toThrow(/tauMax/);
  });

  // Key values of the paper presets against spec/losses.md §4(b)-(c), §4(e).
  it.each([
    ['paper-cifar10', 'model.backbone', 'resnet18'], // §4(c): ResNet-18
    ['paper-cifar10', 'model.stem', 'cifar'], // §4(c): conv1 3x3 stride 1, no max-pool
    ['paper-cifar10', 'model.head', 'dystress'], // §4(c): 512-512(BN)-128(BN), no bias
    ['paper-cifar10', 'train.batchSize', 128], // §4(c)
    ['paper-cifar10', 'train.epochs', 200], // §4(c)
    ['paper-cifar10', 'optimizer.name', 'sgd'], // §4(c)
    ['paper-cifar10', 'optimizer.lr', 0.2], // §4(c)
    ['paper-cifar10', 'optimizer.momentum', 0], // §4(c), §4(e): no momentum argument
    ['paper-cifar10', 'optimizer.weightDecay', 5e-4], // §4(c)
    ['paper-cifar10', 'schedule.decay', 'cosine'], // §4(c): CosineAnnealingLR
    ['paper-cifar10', 'schedule.per', 'epoch'], // §4(c): stepped per epoch
    ['paper-cifar10', 'augment.preset', 'simclr-cifar'], // §4(c), §0.5
    ['paper-cifar10', 'eval.knnK', 200], // §4(c)
    ['paper-cifar10', 'eval.knnT', 0.1], // §4(c)
    ['paper-cifar10', 'method.tauMin', 0.07], // §4(b)
    ['paper-cifar10', 'method.tauMax', 0.2], // §4(b)
    ['paper-cifar10', 'method.shift', null], // §4(a): the main form of the forward pass
    ['paper-cifar10', 'method.detachTemperature', true], // §4(e)
    ['paper-cifar100', 'data.dataset', 'cifar100'],
    ['paper-cifar100', 'optimizer.lr', 0.2], // §4(c): same code defaults
    ['paper-cifar100', 'method.tauMin', 0.07], // §4(b)
    ['paper-imagenet', 'model.backbone', 'resnet50'], // §4(c)
    ['paper-imagenet', 'optimizer.name', 'lars'], // §4(c)
    ['paper-imagenet', 'optimizer.lr', 0.075], // §4(c): 0.075 x sqrt(B)
    ['paper-imagenet', 'optimizer.lrScaling', 'sqrt'],
    ['paper-imagenet', 'optimizer.weightDecay', 1e-6], // §4(c)
    ['paper-imagenet', 'optimizer.excludeBnAndBias', true], // §4(c)
    ['paper-imagenet', 'schedule.warmupEpochs', 10], // §4(c)
    ['paper-imagenet', 'schedule.per', 'iteration'], // §4(c)
    ['paper-imagenet', 'train.batchSize', 256], // §4(c): 128 per device x 2
    ['paper-imagenet', 'train.epochs', 100], // §4(c)
    ['paper-imagenet', 'eval.knnK', 20], // §4(c), §4(e): k=20
    ['paper-imagenet', 'eval.linearProbe', 'lightly'], // §4(c): 90 epochs SGD 0.1 cosine
    ['paper-imagenet', 'method.tauMin', 0.1], // §4(b)
    ['paper-imagenet', 'method.tauMax', 0.2], // §4(b)
    ['paper-imagenet100', 'method.tauMin', 0.1], // §4(b)
    ['paper-imagenet100', 'data.classList', 'imagenet100'], // CMC's 100 classes (spec §4(c) ImageNet-100)
  ])('%s sets %s = %s', (preset, path, value) => {
    expect(valueAt(preset as PresetName, path)).toBe(value);
  });
});

describe('dystress app', () => {
  it.each(['smoke', 'smoke-dcl'])('runs the %s preset end to end on wasm', async (preset) => {
    const result = await trainApp(dystressApp, { preset, backend: 'wasm', outDir: out, stream: quiet });
    expect(result.backend).toBe('wasm');
    expect(result.epochs).toBe(2);
    expect(result.knn.top1).toBeGreaterThan(0);
    expect(result.linearProbe?.top1).toBeGreaterThan(0);
    expect(Number.isFinite(result.uniformity)).toBe(true);
  });

  it('needs the dataset folder of a paper preset', async () => {
    const error = await trainApp(dystressApp, { preset: 'paper-cifar10', outDir: out, stream: quiet }).catch((e: unknown) => e as Error);
    expect((error as { code?: string }).code).toBe('NOT_FOUND');
  });
});
