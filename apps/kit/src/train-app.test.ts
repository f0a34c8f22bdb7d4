import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { isContrastiveError } from '@contrastive/core';
import { listCheckpoints, NotFiniteLossError } from '@contrastive/train';
import { appConfigSchema } from './config-schema';
import { defineApp } from './method';
import { trainApp } from './train-app';

const out = mkdtempSync(join(tmpdir(), 'kit-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

const schema = appConfigSchema(z.object({ nanAtStep: z.number().int().default(-1) }));
const smoke = {
  seed: 1,
  backend: 'wasm',
  data: { dataset: 'fashion-mnist', trainLimit: 128, evalTrainLimit: 100, evalTestLimit: 50 },
  augment: { preset: 'fashion-mnist-cpu', views: 2 },
  model: { backbone: 'conv-net', convChannels: [4, 8], head: 'linear', projectionDim: 16 },
  optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 },
  schedule: { decay: 'cosine' },
  train: { epochs: 2, batchSize: 16, maxStepsPerEpoch: 3, logEvery: 1 },
  eval: { knnEvery: 1, knnK: 10, linearProbe: 'none', scatterPoints: 20 },
  method: {},
};

/** A toy method: pull the two views' projections together (enough to exercise the loop). */
const toyApp = defineApp({
  name: 'toy',
  title: 'loop test',
  schema,
  presets: { smoke },
  presetDescriptions: { smoke: 'test' },
  createMethod: (context) => ({
    loss(views, batch) {
      const z1 = context.encoder.forward(views[0]!).projections;
      const z2 = context.encoder.forward(views[1]!).projections;
      const loss = tf.mean(tf.square(tf.sub(z1, z2))) as tf.Scalar;
      return batch.step === context.config.method.nanAtStep ? (tf.mul(loss, NaN) as tf.Scalar) : loss;
    },
    dispose() {},
  }),
});

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

function withoutTime(records: Record<string, unknown>[]) {
  return records.map(({ time: _t, seconds: _s, ...rest }) => rest);
}

describe('trainApp', () => {
  it('trains, checkpoints, evaluates and writes a report', async () => {
    const result = await trainApp(toyApp, { preset: 'smoke', outDir: out, stream: quiet });
    expect(result.backend).toBe('wasm');
    expect(result.knn.top1).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(result.alignment)).toBe(true);
    expect(existsSync(result.reportPath)).toBe(true);
    expect(readFileSync(result.reportPath, 'utf8')).toContain('<svg');
    expect((await listCheckpoints(join(result.runDir, 'checkpoints'))).length).toBeGreaterThan(0);
  });

  it('resumes a killed run to the same metrics as an uninterrupted one', async () => {
    const full = await trainApp(toyApp, { preset: 'smoke', outDir: join(out, 'full'), stream: quiet });
    let killedDir = '';
    await expect(
      trainApp(toyApp, {
        preset: 'smoke',
        outDir: join(out, 'killed'),
        stream: quiet,
        onEpochEnd: (epoch, run) => {
          killedDir = run.dir;
          if (epoch === 1) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await trainApp(toyApp, { resume: killedDir, stream: quiet });
    const read = (dir: string) =>
      readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(withoutTime(read(resumed.runDir))).toEqual(withoutTime(read(full.runDir)));
    expect(resumed.knn).toEqual(full.knn);
  });

  it('stops on a NaN loss with NOT_FINITE and keeps the last good checkpoint', async () => {
    let dir = '';
    const error = await failure(
      trainApp(toyApp, {
        preset: 'smoke',
        sets: ['method.nanAtStep=4'],
        outDir: join(out, 'nan'),
        stream: quiet,
        onEpochEnd: (_e, run) => {
          dir = run.dir;
        },
      }),
    );
    expect(error).toBeInstanceOf(NotFiniteLossError);
    expect(isContrastiveError(error, 'NOT_FINITE')).toBe(true);
    const checkpoints = await listCheckpoints(join(dir, 'checkpoints'));
    expect(checkpoints).toHaveLength(1);
  });

  it('reports every bad field and unknown presets', async () => {
    const error = await failure(
      trainApp(toyApp, {
        preset: 'smoke',
        sets: ['train.epochs=0', 'optimizer.name=adam', 'model.head=huge'],
        outDir: out,
        stream: quiet,
      }),
    );
    expect(isContrastiveError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain('train.epochs');
    expect(error.message).toContain('optimizer.name');
    expect(error.message).toContain('model.head');
    const unknown = await failure(trainApp(toyApp, { preset: 'smoek', outDir: out, stream: quiet }));
    expect(isContrastiveError(unknown, 'UNKNOWN_NAME')).toBe(true);
    expect(unknown.message).toContain('did you mean "smoke"');
  });

  it('says where to get a dataset whose folder is missing', async () => {
    const error = await failure(
      trainApp(toyApp, {
        preset: 'smoke',
        sets: ['data.dataset=cifar10', 'data.root="/nonexistent/cifar"'],
        outDir: out,
        stream: quiet,
      }),
    );
    expect(isContrastiveError(error, 'NOT_FOUND')).toBe(true);
    expect(error.message).toContain('CIFAR-10 binary');
  });
});
