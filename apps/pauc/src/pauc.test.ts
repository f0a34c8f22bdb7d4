import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainApp } from '@contrastive/app-kit';
import { PCL_PRESETS, pclSchema } from '@contrastive/app-pcl';
import { resolveConfig } from '@contrastive/train';
import { paucApp, paucSchema, PAUC_PRESETS } from './index';

const out = mkdtempSync(join(tmpdir(), 'pauc-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const get = (config: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);

describe('pauc presets', () => {
  it('every preset validates', () => {
    for (const preset of Object.values(PAUC_PRESETS)) expect(() => resolveConfig(paucSchema, preset)).not.toThrow();
  });

  // Key values against spec/losses.md §3(c)-(d) (PCL v2 pipeline, §2(b)-(c)).
  it.each([
    ['paper-imagenet', 'model.backbone', 'resnet50'], // §3(d)
    ['paper-imagenet', 'model.head', 'moco-v2'], // §3(d) MoCo v2 head
    ['paper-imagenet', 'augment.preset', 'moco-v2'], // §3(d) aug+
    ['paper-imagenet', 'train.batchSize', 256], // §3(d)
    ['paper-imagenet', 'train.epochs', 200], // §3(d)
    ['paper-imagenet', 'optimizer.lr', 0.03], // §3(d) SGD 0.03
    ['paper-imagenet', 'schedule.decay', 'cosine'], // §3(d) cosine
    ['paper-imagenet', 'method.alignmentWeight', 1], // §3(c) lambda_a
    ['paper-imagenet', 'method.uniformityWeight', 1], // §3(c) lambda_u
    ['paper-imagenet', 'method.correlationWeight', 0.01], // §3(c) lambda_c
    ['paper-imagenet', 'method.uniformityT', 2], // §3(c) t
    ['paper-imagenet', 'method.warmupEpochs', 20], // §2(b) via PCL v2
    ['paper-imagenet', 'method.temperature', 0.2], // §2(b) via PCL v2
    ['paper-imagenet100', 'train.epochs', 200], // §3(d)
    ['paper-imagenet100', 'method.correlationWeight', 0.01], // §3(c)
    ['paper-imagenet100', 'data.classList', 'imagenet100'], // CMC's 100 classes (spec §3(d) ImageNet-100)
  ])('%s sets %s = %s', (preset, path, value) => {
    const config = resolveConfig(paucSchema, PAUC_PRESETS[preset as keyof typeof PAUC_PRESETS]);
    expect(get(config, path)).toBe(value);
  });

  it('uses the PCL v2 clusterings on ImageNet-1K and 2500/5000/10000 on ImageNet-100 (spec §3(d))', () => {
    expect(resolveConfig(paucSchema, PAUC_PRESETS['paper-imagenet']).method.numClusters).toEqual([25_000, 50_000, 100_000]);
    expect(resolveConfig(paucSchema, PAUC_PRESETS['paper-imagenet100']).method.numClusters).toEqual([2500, 5000, 10_000]);
  });

  it.each(['cpu-fashion-mnist', 'cpu-fashion-mnist-long'] as const)('%s differs from the PCL preset it compares against only in the PAUC terms', (name) => {
    const pauc = resolveConfig(paucSchema, PAUC_PRESETS[name]);
    const pcl = resolveConfig(pclSchema, PCL_PRESETS[name]);
    const { alignmentWeight: _a, uniformityWeight: _u, correlationWeight: _c, uniformityT: _t, ...method } = pauc.method;
    expect({ ...pauc, method }).toEqual(pcl);
  });
});

describe('pauc app', () => {
  it('runs the smoke preset end to end on wasm, with one E-step', async () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
    const result = await trainApp(paucApp, { preset: 'smoke', backend: 'wasm', outDir: out, stream });
    expect(result.backend).toBe('wasm');
    expect(result.epochs).toBe(2);
    expect(lines.filter((l) => l.startsWith('E-step before epoch 2'))).toHaveLength(1);
    expect(result.knn.top1).toBeGreaterThan(0);
    expect(result.linearProbe?.top1).toBeGreaterThan(0);
    expect(Number.isFinite(result.uniformity)).toBe(true);
  });

  it('needs the dataset folder of a paper preset', async () => {
    const error = await trainApp(paucApp, { preset: 'paper-imagenet', outDir: out, stream: quiet }).catch((e: unknown) => e as Error);
    expect((error as { code?: string }).code).toBe('NOT_FOUND');
  });
});
