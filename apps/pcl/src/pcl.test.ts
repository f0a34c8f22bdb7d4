import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainApp } from '@contrastive/app-kit';
import { useBackend } from '@contrastive/test-utils';
import { resolveConfig } from '@contrastive/train';
import { cappedNegatives, pclApp, pclSchema, PCL_PRESETS } from './index';

const out = mkdtempSync(join(tmpdir(), 'pcl-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const get = (config: unknown, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
const metrics = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .map(({ time: _t, seconds: _s, ...rest }) => rest);

describe('pcl presets', () => {
  it('every preset validates', () => {
    for (const preset of Object.values(PCL_PRESETS)) expect(() => resolveConfig(pclSchema, preset)).not.toThrow();
  });

  // Key values of the paper presets against spec/losses.md §2(b)-(c).
  it.each([
    ['paper-imagenet', 'model.backbone', 'resnet50'], // §2(c)
    ['paper-imagenet', 'model.head', 'moco-v2'], // §2(c) v2: --mlp
    ['paper-imagenet', 'augment.preset', 'moco-v2'], // §2(c) v2: --aug-plus
    ['paper-imagenet', 'schedule.decay', 'cosine'], // §2(c) v2: --cos
    ['paper-imagenet', 'method.temperature', 0.2], // §2(b) tau
    ['paper-imagenet', 'method.queueSize', 16384], // §2(b) r
    ['paper-imagenet', 'method.negativePrototypes', 16384], // §2(b) r
    ['paper-imagenet', 'method.momentum', 0.999], // §2(b) m
    ['paper-imagenet', 'method.warmupEpochs', 20], // §2(b) warmup_epoch
    ['paper-imagenet', 'method.kMeansIterations', 20], // §2(a) E-step 3
    ['paper-imagenet', 'method.kMeansRestarts', 5], // §2(a) nredo
    ['paper-imagenet', 'method.maxPointsPerCentroid', 1000], // §2(a)
    ['paper-imagenet', 'method.concentrationAlpha', 10], // §2(a) E-step 4
    ['paper-imagenet', 'method.eStepBatchSize', 1280], // §2(b) eval batch 5 x 256
    ['paper-imagenet', 'optimizer.lr', 0.03], // §2(c)
    ['paper-imagenet', 'optimizer.momentum', 0.9], // §2(c)
    ['paper-imagenet', 'optimizer.weightDecay', 1e-4], // §2(c)
    ['paper-imagenet', 'train.epochs', 200], // §2(b)
    ['paper-imagenet', 'train.batchSize', 256], // §2(b)
    ['paper-imagenet', 'eval.linearProbe', 'pcl'], // §2(c) lr 5 linear eval
    ['paper-imagenet-v1', 'model.head', 'linear'], // §2(c) v1
    ['paper-imagenet-v1', 'augment.preset', 'moco-v1'], // §2(c) v1
    ['paper-imagenet-v1', 'schedule.decay', 'multi-step'], // §2(c) v1 step decay
    ['paper-imagenet-v1', 'method.temperature', 0.2], // §2(b) README: 0.2 for v1 too
  ])('%s sets %s = %s', (preset, path, value) => {
    const config = resolveConfig(pclSchema, PCL_PRESETS[preset as keyof typeof PCL_PRESETS]);
    expect(get(config, path)).toBe(value);
  });

  it('uses three clusterings of 25k, 50k and 100k (spec §2(b)) and v1 steps at 120/160 (spec §2(c))', () => {
    expect(resolveConfig(pclSchema, PCL_PRESETS['paper-imagenet']).method.numClusters).toEqual([25_000, 50_000, 100_000]);
    expect(resolveConfig(pclSchema, PCL_PRESETS['paper-imagenet-v1']).schedule.milestones).toEqual([120, 160]);
  });
});

describe('cappedNegatives', () => {
  beforeAll(async () => {
    await useBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
  it('caps r at k minus the distinct positives of the batch, over every clustering', () => {
    const prototypes = (k: number) => tf.zeros([k, 4]) as tf.Tensor2D;
    const concentration = tf.ones([20]) as tf.Tensor1D;
    const a = { prototypes: prototypes(10), concentration, assignment: Int32Array.from([0, 1, 1, 2]) };
    const b = { prototypes: prototypes(20), concentration, assignment: Int32Array.from([5, 5, 5, 5]) };
    expect(cappedNegatives(16384, [a, b])).toBe(7);
    expect(cappedNegatives(3, [a, b])).toBe(3);
    expect(cappedNegatives(16384, [])).toBe(16384);
    tf.dispose([a.prototypes, b.prototypes, concentration]);
  });
});

describe('pcl app', () => {
  it('runs the smoke preset end to end on wasm, with one E-step', async () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
    const result = await trainApp(pclApp, { preset: 'smoke', backend: 'wasm', outDir: out, stream });
    expect(result.backend).toBe('wasm');
    expect(result.epochs).toBe(2);
    expect(lines.filter((l) => l.startsWith('E-step before epoch 2'))).toHaveLength(1);
    expect(result.knn.top1).toBeGreaterThan(0);
    expect(result.linearProbe?.top1).toBeGreaterThan(0);
    expect(Number.isFinite(result.uniformity)).toBe(true);
  });

  it('resumes a killed run to the same metrics (queue and key encoder restored, clusters recomputed at an epoch end, restored inside an epoch)', async () => {
    // A checkpoint every 2 steps: the one after global step 4 is inside epoch 1, after its E-step.
    const sets = ['eval.linearProbe="none"', 'train.checkpointEverySteps=2'];
    const before = tf.memory().numTensors;
    const full = await trainApp(pclApp, { preset: 'smoke', sets, backend: 'wasm', outDir: join(out, 'full'), stream: quiet });
    expect(tf.memory().numTensors).toBe(before); // prototypes, concentrations, key encoder and queue are freed
    let killed = '';
    await expect(
      trainApp(pclApp, {
        preset: 'smoke',
        sets,
        backend: 'wasm',
        outDir: join(out, 'killed'),
        stream: quiet,
        onEpochEnd: (epoch, run) => {
          killed = run.dir;
          if (epoch === 1) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await trainApp(pclApp, { resume: killed, stream: quiet });
    expect(metrics(resumed.runDir)).toEqual(metrics(full.runDir));
    // Killed after the checkpoint inside epoch 1: the resumed run continues with the saved clusterings.
    let killedMid = '';
    await expect(
      trainApp(pclApp, {
        preset: 'smoke',
        sets,
        backend: 'wasm',
        outDir: join(out, 'killed-mid'),
        stream: quiet,
        onStepCheckpoint: ({ step }, run) => {
          killedMid = run.dir;
          if (step === 4) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const lines: string[] = [];
    const say = { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream;
    const resumedMid = await trainApp(pclApp, { resume: killedMid, stream: say });
    expect(lines.join('')).toContain('at epoch 1, batch 1');
    expect(lines.join('')).not.toContain('E-step');
    expect(metrics(resumedMid.runDir)).toEqual(metrics(full.runDir));
  });

  it('needs the dataset folder of a paper preset', async () => {
    const error = await trainApp(pclApp, { preset: 'paper-imagenet', outDir: out, stream: quiet }).catch((e: unknown) => e as Error);
    expect((error as { code?: string }).code).toBe('NOT_FOUND');
  });
});
