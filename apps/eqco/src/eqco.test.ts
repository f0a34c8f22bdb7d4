import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainApp } from '@contrastive/app-kit';
import { resolveConfig } from '@contrastive/train';
import { eqcoApp, eqcoSchema, EQCO_PRESETS } from './index';

const out = mkdtempSync(join(tmpdir(), 'eqco-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
type PresetName = keyof typeof EQCO_PRESETS;

function valueAt(preset: PresetName, path: string): unknown {
  const config = resolveConfig(eqcoSchema, EQCO_PRESETS[preset]) as Record<string, unknown>;
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
}

describe('eqco presets', () => {
  it('every preset validates', () => {
    for (const preset of Object.values(EQCO_PRESETS)) expect(() => resolveConfig(eqcoSchema, preset)).not.toThrow();
  });

  // Key values of the paper presets against spec/losses.md §5(b)-(c), §1(b)-(c), §0.4.
  it.each([
    ['paper-simo-imagenet', 'method.variant', 'simo'],
    ['paper-simo-imagenet', 'model.backbone', 'resnet50'], // §5(c)
    ['paper-simo-imagenet', 'model.head', 'simo'], // §5(b): 2048-2048(BN)-128(BN), N(0, 0.01)
    ['paper-simo-imagenet', 'train.batchSize', 256], // §5(c)
    ['paper-simo-imagenet', 'train.epochs', 200], // §5(c)
    ['paper-simo-imagenet', 'optimizer.name', 'sgd'], // §5(c)
    ['paper-simo-imagenet', 'optimizer.lr', 0.03], // §5(c)
    ['paper-simo-imagenet', 'optimizer.momentum', 0.9], // §5(c)
    ['paper-simo-imagenet', 'optimizer.weightDecay', 1e-4], // §5(c)
    ['paper-simo-imagenet', 'optimizer.excludeBnAndBias', false], // §5(c): wd also on norm layers
    ['paper-simo-imagenet', 'schedule.decay', 'cosine'], // §5(c)
    ['paper-simo-imagenet', 'augment.preset', 'moco-v2'], // §5(c): aug+
    ['paper-simo-imagenet', 'method.temperature', 0.2], // §5(b)
    ['paper-simo-imagenet', 'method.alpha', 256], // §5(b)
    ['paper-simo-imagenet', 'method.numNegatives', 256], // §5(b)
    ['paper-simo-imagenet', 'method.momentum', 0.999], // §5(b)
    ['paper-simo-imagenet', 'eval.linearProbe', 'moco'], // §5(c): lr 30, m 0.9, wd 0, batch 256, x0.1 at 60/80
    ['paper-simo-imagenet', 'eval.linearProbeEpochs', 90], // §5(c)
    ['paper-moco-eqco-imagenet', 'method.variant', 'moco-eqco'],
    ['paper-moco-eqco-imagenet', 'model.backbone', 'resnet50'], // §1(c)
    ['paper-moco-eqco-imagenet', 'model.head', 'moco-v2'], // §1(b)
    ['paper-moco-eqco-imagenet', 'model.batchNormGroups', 8], // §0.4 shuffle-BN stand-in
    ['paper-moco-eqco-imagenet', 'optimizer.lr', 0.03], // §1(c)
    ['paper-moco-eqco-imagenet', 'optimizer.weightDecay', 1e-4], // §1(c)
    ['paper-moco-eqco-imagenet', 'schedule.per', 'epoch'], // §1(c): set once per epoch
    ['paper-moco-eqco-imagenet', 'train.epochs', 200], // §1(c)
    ['paper-moco-eqco-imagenet', 'train.batchSize', 256], // §1(c)
    ['paper-moco-eqco-imagenet', 'method.temperature', 0.2], // §1(b)
    ['paper-moco-eqco-imagenet', 'method.momentum', 0.999], // §1(b)
    ['paper-moco-eqco-imagenet', 'method.alpha', 65536], // §5(b)
    ['paper-moco-eqco-imagenet', 'method.queueSize', 256], // §5(b): K swept 16..65536
  ])('%s sets %s = %s', (preset, path, value) => {
    expect(valueAt(preset as PresetName, path)).toBe(value);
  });

  it('SiMo warms up for 10 iterations (spec §5(c)), in steps', () => {
    expect(valueAt('paper-simo-imagenet', 'schedule.warmupSteps')).toBe(10);
    expect(valueAt('paper-simo-imagenet', 'schedule.warmupEpochs')).toBe(0);
  });
});

describe('eqco app', () => {
  it.each(['smoke', 'smoke-moco-eqco'])('runs the %s preset end to end on wasm', async (preset) => {
    const result = await trainApp(eqcoApp, { preset, backend: 'wasm', outDir: out, stream: quiet });
    expect(result.backend).toBe('wasm');
    expect(result.epochs).toBe(2);
    expect(result.knn.top1).toBeGreaterThan(0);
    expect(result.linearProbe?.top1).toBeGreaterThan(0);
    expect(Number.isFinite(result.uniformity)).toBe(true);
  });

  it('continues a killed MoCo-EqCo run from its checkpoint (momentum weights and queue)', async () => {
    const dir = join(out, 'resume');
    const killed = await trainApp(eqcoApp, {
      preset: 'smoke-moco-eqco',
      sets: ['eval.linearProbe="none"'],
      backend: 'wasm',
      outDir: dir,
      stream: quiet,
      onEpochEnd: (epoch) => {
        if (epoch === 1) throw new Error('killed after epoch 1');
      },
    }).catch((e: unknown) => e as Error);
    expect((killed as Error).message).toBe('killed after epoch 1');
    const runs = readdirSync(dir);
    expect(runs).toHaveLength(1);
    const resumed = await trainApp(eqcoApp, { resume: join(dir, runs[0]!), backend: 'wasm', stream: quiet });
    expect(resumed.epochs).toBe(2);
    expect(resumed.knn.top1).toBeGreaterThan(0);
  });

  it('needs the dataset folder of a paper preset', async () => {
    const error = await trainApp(eqcoApp, { preset: 'paper-simo-imagenet', outDir: out, stream: quiet }).catch((e: unknown) => e as Error);
    expect((error as { code?: string }).code).toBe('NOT_FOUND');
  });
});
