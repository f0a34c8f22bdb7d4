import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { isContrastiveError, l2Normalize } from '@contrastive/core';
import { listCheckpoints, loadLatestCheckpoint, NotFiniteLossError, type Checkpoint } from '@contrastive/train';
import { appConfigSchema } from './config-schema';
import { defineApp } from './method';
import { createMomentumBranch } from './momentum-branch';
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

/**
 * A toy MoCo: a momentum key encoder (shuffled keys, so the method RNG is
 * used), a queue of negatives and BN everywhere; on cpu, where results are
 * bit-reproducible, with checkpoints inside epochs.
 */
const momentumSchema = appConfigSchema(z.object({}));
const momentumToy = defineApp({
  name: 'toy-moco',
  title: 'mid-epoch resume test',
  schema: momentumSchema,
  presets: {
    smoke: {
      ...smoke,
      backend: 'cpu',
      data: { ...smoke.data, evalTrainLimit: 20, evalTestLimit: 10 },
      // 3 steps an epoch; checkpoints after global steps 1, 3 (inside epochs 0 and 1) and 5
      // (epoch 1's last: left to the epoch-end one); losses read every 4 steps, so the
      // windows are part-read at the checkpoints.
      train: { epochs: 2, batchSize: 16, maxStepsPerEpoch: 3, logEvery: 4, checkpointEverySteps: 2, keepCheckpoints: 10 },
    },
  },
  presetDescriptions: { smoke: 'test' },
  createMethod: (context) => {
    const branch = createMomentumBranch(context, { queueSize: 40, momentum: 0.9, shuffleKeys: true });
    return {
      prepare: (views) => branch.prepare([views[1]!]),
      loss(views) {
        const q = l2Normalize(context.encoder.forward(views[0]!).projections, 1);
        const k = tf.sum(tf.mul(q, branch.keys()), 1);
        const n = tf.logSumExp(tf.matMul(q, branch.negatives(), false, true), 1);
        return tf.mean(tf.sub(n, k)) as tf.Scalar;
      },
      afterStep: () => branch.afterStep(),
      getState: () => branch.getState(),
      setState: (checkpoint) => branch.setState(checkpoint),
      dispose: () => branch.dispose(),
    };
  },
});

/** Every tensor of a checkpoint by key, as plain arrays (exact comparison). */
async function checkpointValues(c: Checkpoint): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [set, list] of Object.entries(c.weights)) {
    for (const [i, w] of list.entries()) out[`weights/${set}/${i}`] = Array.from(await w.tensor.data());
  }
  for (const [name, o] of Object.entries(c.optimizers)) {
    for (const [slot, t] of Object.entries(o.slots)) out[`optimizer/${name}/${slot}`] = Array.from(await t.data());
  }
  for (const [name, t] of Object.entries(c.tensors)) out[`tensors/${name}`] = Array.from(await t.data());
  return out;
}

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

  it('resumes from checkpoints inside epochs to the same metrics, queue, momentum weights and optimiser state (cpu)', async () => {
    const read = (dir: string) =>
      readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const final = async (dir: string) => {
      const latest = (await loadLatestCheckpoint(dir))!.checkpoint;
      try {
        return { step: latest.step, inEpoch: latest.inEpoch, rng: latest.rng, user: latest.user, values: await checkpointValues(latest) };
      } finally {
        latest.dispose();
      }
    };
    const full = await trainApp(momentumToy, { preset: 'smoke', outDir: join(out, 'mid-full'), stream: quiet });
    const fullCheckpoints = (await listCheckpoints(full.runDir)).map((d) => d.split('/').pop());
    // Inside epochs at global steps 2 and 4 (0-based steps 1 and 3), at the epoch ends 3 and 6.
    expect(fullCheckpoints).toEqual(['step-0000000002', 'step-0000000003', 'step-0000000004', 'step-0000000006']);
    const reference = await final(full.runDir);
    expect(reference.values['tensors/queue']).toBeDefined();
    expect(Object.keys(reference.values).some((k) => k.startsWith('weights/momentum/'))).toBe(true);
    // Killed right after the checkpoint inside epoch 0, resumed (across an epoch end) and killed
    // again after the one inside epoch 1, then resumed to the end.
    let dir = '';
    const killAt = (step: number) => (position: { step: number }, run: { dir: string }) => {
      dir = run.dir;
      if (position.step === step) throw new Error(`killed at ${step}`);
    };
    await expect(
      trainApp(momentumToy, { preset: 'smoke', outDir: join(out, 'mid-killed'), stream: quiet, onStepCheckpoint: killAt(2) }),
    ).rejects.toThrow('killed at 2');
    const lines: string[] = [];
    const say = { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream;
    await expect(trainApp(momentumToy, { resume: dir, stream: say, onStepCheckpoint: killAt(4) })).rejects.toThrow('killed at 4');
    const point = (await loadLatestCheckpoint(dir))!.checkpoint;
    expect([point.step, point.epoch, point.inEpoch?.batch, point.inEpoch?.steps]).toEqual([4, 1, 1, 1]);
    point.dispose();
    const resumed = await trainApp(momentumToy, { resume: dir, stream: say });
    expect(lines.join('')).toContain('at epoch 0, batch 2');
    expect(lines.join('')).toContain('at epoch 1, batch 1');
    expect(withoutTime(read(resumed.runDir))).toEqual(withoutTime(read(full.runDir)));
    expect(resumed.knn).toEqual(full.knn);
    expect(resumed.alignment).toBe(full.alignment);
    expect(await final(resumed.runDir)).toEqual(reference);
  });

  it('resumes from a checkpoint at the last batch of an epoch whose epoch-end checkpoint was not due', async () => {
    // checkpointEvery 2: no checkpoint after epoch 1's kNN; the one after global step 3 is its last batch.
    const sets = ['train.checkpointEvery=2', 'train.checkpointEverySteps=3'];
    const full = await trainApp(toyApp, { preset: 'smoke', sets, outDir: join(out, 'last-full'), stream: quiet });
    let dir = '';
    await expect(
      trainApp(toyApp, {
        preset: 'smoke',
        sets,
        outDir: join(out, 'last-killed'),
        stream: quiet,
        onStepCheckpoint: ({ step }, run) => {
          dir = run.dir;
          if (step === 3) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const point = (await loadLatestCheckpoint(dir))!.checkpoint;
    expect([point.epoch, point.inEpoch?.batch]).toEqual([0, 3]);
    point.dispose();
    const resumed = await trainApp(toyApp, { resume: dir, stream: quiet });
    const read = (d: string) => readFileSync(join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(withoutTime(read(resumed.runDir))).toEqual(withoutTime(read(full.runDir)));
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
