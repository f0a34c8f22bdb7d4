import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, isContrastiveError } from '@contrastive/core';
import { describeBackends, useBackend } from '@contrastive/test-utils';
import {
  checkFiniteLoss,
  checkpointName,
  createLrSchedule,
  createRun,
  createSgd,
  NotFiniteLossError,
  openRun,
  readMetricsLog,
  restoreWeights,
  type Run,
} from './index';

let root: string;
beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'contrastive-run-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createRun / openRun', () => {
  it('writes config.json with config, seed, backend, versions, git commit and Node version', async () => {
    const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const run = await createRun({ root, app: 'simclr', preset: 'smoke', config: { lr: 0.1 }, seed: 7, backend: 'cpu', now, versions: { '@contrastive/x': '1.0.0' } });
    expect(run.id).toBe('simclr-smoke-20260102-030405');
    const info = JSON.parse(await readFile(join(run.dir, 'config.json'), 'utf8'));
    expect(info).toMatchObject({ app: 'simclr', preset: 'smoke', seed: 7, backend: 'cpu', config: { lr: 0.1 } });
    expect(info.versions['@tensorflow/tfjs-core']).toMatch(/^\d+\.\d+/);
    expect(info.versions['@contrastive/x']).toBe('1.0.0');
    expect(info.versions.node).toBe(process.version);
    expect(info.gitCommit === null || /^[0-9a-f]{40}$/.test(info.gitCommit)).toBe(true);
    expect((await readdir(run.dir)).sort()).toEqual(['checkpoints', 'config.json', 'metrics.jsonl']);
    const again = await createRun({ root, app: 'simclr', preset: 'smoke', config: {}, seed: 7, backend: 'cpu', now });
    expect(again.id).toBe('simclr-smoke-20260102-030405-2');
    let code: string | undefined;
    await createRun({ root, app: 'sim clr', preset: 'x', config: {}, seed: 1, backend: 'cpu' }).catch((e) => (code = isContrastiveError(e) ? `${e.code}:${e.argument}` : 'other'));
    expect(code).toBe('INVALID_ARGUMENT:app');
    await openRun(join(root, 'nope')).catch((e) => (code = isContrastiveError(e) ? e.code : 'other'));
    expect(code).toBe('NOT_FOUND');
  });

  it('metrics.jsonl: drops a truncated last line, rejects a damaged middle line', async () => {
    const run = await createRun({ root, app: 'm', preset: 'p', config: {}, seed: 1, backend: 'cpu' });
    run.log({ step: 1, loss: 2.5 });
    run.log({ step: 2, loss: Number.NaN });
    appendFileSync(run.metricsPath, '{"step": 3, "lo');
    const log = readMetricsLog(run.metricsPath);
    expect(log.records).toEqual([{ step: 1, loss: 2.5 }, { step: 2, loss: null }]);
    expect(log.droppedPartialLine).toBe(true);
    const reopened = await openRun(run.dir);
    expect(reopened.metricsCount).toBe(2);
    expect(readFileSync(run.metricsPath, 'utf8')).toBe('{"step":1,"loss":2.5}\n{"step":2,"loss":null}\n');
    writeFileSync(run.metricsPath, '{"a":1}\n{"b":\n{"c":3}\n');
    let code: string | undefined;
    try {
      readMetricsLog(run.metricsPath);
    } catch (e) {
      code = isContrastiveError(e) ? e.code : 'other';
    }
    expect(code).toBe('CORRUPT_DATA');
  });
});

// ---- A tiny seeded training loop, run straight through or killed and resumed ----

const N = 48;
const BATCH = 8;
const STEPS_PER_EPOCH = N / BATCH;
const EPOCHS = 4;

function dataset(): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const rng = createRng(1);
  const xs = Array.from({ length: N * 3 }, () => rng.normal());
  const ys = Array.from({ length: N }, (_, i) => 2 * xs[3 * i]! - xs[3 * i + 1]! + 0.5 * xs[3 * i + 2]! + 0.1 * rng.normal());
  return { x: tf.tensor2d(xs, [N, 3]), y: tf.tensor2d(ys, [N, 1]) };
}

async function readScalar(f: () => tf.Tensor): Promise<number> {
  const t = tf.tidy(f);
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
}

interface LoopOptions {
  run: Run;
  resume: boolean;
  /** Stop ("kill") right after this global step, without saving. */
  killAfterStep?: number;
  /** Make the loss NaN at this step. */
  poisonStep?: number;
}

async function trainLoop(o: LoopOptions): Promise<{ weights: number[][]; killed: boolean }> {
  const { x, y } = dataset();
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: 1, inputShape: [3], kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) })],
  });
  const ema = model.weights.map((w) => tf.tidy(() => tf.variable(w.read().clone(), false)));
  const opt = createSgd(model.trainableWeights, { learningRate: 0, momentum: 0.9, nesterov: true, weightDecay: 1e-3 });
  const lr = createLrSchedule({ base: 0.05, decay: 'cosine', epochs: EPOCHS, per: 'iteration', warmupSteps: 4 }, STEPS_PER_EPOCH);
  const rng = createRng(42);
  let queue = tf.zeros([2 * BATCH]);
  let epoch = 0;
  let step = 0;
  const cleanup = (): void => {
    opt.dispose();
    model.dispose();
    tf.dispose([...ema, x, y, queue]);
  };
  if (o.resume) {
    const point = await o.run.resume();
    if (point !== null) {
      const ck = point.checkpoint;
      restoreWeights(model.weights, ck.weights['online']!);
      restoreWeights(ema, ck.weights['momentum']!);
      opt.setState(ck.optimizers['main']!);
      rng.setState(ck.rng['shuffle']!);
      queue.dispose();
      queue = ck.tensors['queue']!.clone();
      epoch = ck.epoch;
      step = ck.step;
      ck.dispose();
    }
  }
  try {
    for (; epoch < EPOCHS; epoch++) {
      const perm = rng.permutation(N);
      for (let b = 0; b < STEPS_PER_EPOCH; b++) {
        const rate = lr(step);
        opt.setLearningRate(rate);
        const idx = tf.tensor1d(perm.slice(b * BATCH, (b + 1) * BATCH), 'int32');
        const xb = tf.gather(x, idx);
        const yb = tf.gather(y, idx);
        const poison = step === o.poisonStep;
        const loss = opt.minimize(() => {
          const mse = tf.losses.meanSquaredError(yb, model.apply(xb) as tf.Tensor) as tf.Scalar;
          return poison ? tf.mul(mse, Number.NaN) : mse;
        });
        tf.dispose([idx, xb, yb]);
        let value: number;
        try {
          value = await checkFiniteLoss(loss, { step, epoch });
        } finally {
          loss.dispose();
        }
        tf.tidy(() => ema.forEach((e, i) => e.assign(tf.add(tf.mul(e, 0.9), tf.mul(model.weights[i]!.read(), 0.1)))));
        const nextQueue = tf.tidy(() => tf.concat([tf.slice(queue, [BATCH], [BATCH]), tf.reshape(model.apply(tf.gather(x, tf.tensor1d(perm.slice(0, BATCH), 'int32'))) as tf.Tensor, [BATCH])]));
        queue.dispose();
        queue = nextQueue;
        step += 1;
        o.run.log({ step, epoch, loss: value, lr: rate, queueMean: await readScalar(() => tf.mean(queue)) });
        if (step === o.killAfterStep) return { weights: [], killed: true };
      }
      o.run.log({ step, epoch, emaNorm: await readScalar(() => tf.norm(ema[0]!)) });
      await o.run.saveCheckpoint({
        epoch: epoch + 1,
        step,
        weights: { online: model.weights, momentum: ema },
        optimizers: { main: opt },
        tensors: { queue },
        rng: { shuffle: rng.getState() },
      });
    }
    const weights = await Promise.all(model.weights.map(async (w) => Array.from(await w.read().data())));
    return { weights, killed: false };
  } finally {
    cleanup();
  }
}

const newRun = (name: string, backend: string): Promise<Run> =>
  createRun({ root, app: 'resume', preset: `${name}-${backend}`, config: {}, seed: 42, backend, keepCheckpoints: 3 });

describeBackends(['cpu', 'wasm'], (backend) => {
  describe('kill and resume', () => {
    let reference: { weights: number[][]; metrics: unknown[] };

    beforeAll(async () => {
      const run = await newRun('straight', backend);
      const before = tf.memory().numTensors;
      const out = await trainLoop({ run, resume: false });
      expect(tf.memory().numTensors).toBe(before);
      reference = { weights: out.weights, metrics: run.readMetrics() };
      expect(reference.metrics).toHaveLength(EPOCHS * (STEPS_PER_EPOCH + 1));
    });

    it('a run killed mid-epoch and resumed gives the same metrics and weights', async () => {
      const run = await newRun('killed', backend);
      const killed = await trainLoop({ run, resume: false, killAfterStep: 2 * STEPS_PER_EPOCH + 3 });
      expect(killed.killed).toBe(true);
      // 3 step records were logged after the last checkpoint; resume must drop them.
      expect(run.readMetrics()).toHaveLength(2 * (STEPS_PER_EPOCH + 1) + 3);
      const reopened = await openRun(run.dir);
      const out = await trainLoop({ run: reopened, resume: true });
      expect(out.weights).toEqual(reference.weights);
      expect(reopened.readMetrics()).toEqual(reference.metrics);
      expect(readMetricsLog(run.metricsPath).records).toEqual(reference.metrics);
      const cks = (await readdir(run.checkpointsDir)).sort();
      expect(cks).toEqual([2, 3, 4].map((e) => checkpointName(e * STEPS_PER_EPOCH)));
    });

    it('a run killed before its first checkpoint restarts from scratch with the same result', async () => {
      const run = await newRun('early', backend);
      await trainLoop({ run, resume: false, killAfterStep: 3 });
      expect(run.readMetrics()).toHaveLength(3);
      const reopened = await openRun(run.dir);
      const out = await trainLoop({ run: reopened, resume: true });
      expect(out.weights).toEqual(reference.weights);
      expect(reopened.readMetrics()).toEqual(reference.metrics);
    });

    it('falls back to the previous checkpoint when the newest is corrupt, with the same result', async () => {
      const run = await newRun('corrupt', backend);
      await trainLoop({ run, resume: false, killAfterStep: 3 * STEPS_PER_EPOCH + 1 });
      appendFileSync(run.metricsPath, '{"step":99,"lo'); // torn write at the kill
      await truncate(join(run.checkpointsDir, checkpointName(3 * STEPS_PER_EPOCH), 'tensors.bin'), 10);
      const reopened = await openRun(run.dir);
      const point = await reopened.resume();
      expect(point!.checkpoint.step).toBe(2 * STEPS_PER_EPOCH);
      expect(point!.skipped.map((s) => s.dir.split('/').pop())).toEqual([checkpointName(3 * STEPS_PER_EPOCH)]);
      expect(point!.skipped[0]!.reason).toMatch(/bytes/);
      point!.checkpoint.dispose();
      const out = await trainLoop({ run: reopened, resume: true });
      expect(out.weights).toEqual(reference.weights);
      expect(reopened.readMetrics()).toEqual(reference.metrics);
    });

    it('NaN guard: stops with NOT_FINITE at the step and keeps the last good checkpoint', async () => {
      const run = await newRun('nan', backend);
      const poisonStep = 2 * STEPS_PER_EPOCH + 2;
      const before = tf.memory().numTensors;
      let err: unknown;
      try {
        await trainLoop({ run, resume: false, poisonStep });
      } catch (e) {
        err = e;
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(err).toBeInstanceOf(NotFiniteLossError);
      const e = err as NotFiniteLossError;
      expect([e.code, e.argument, e.step, e.epoch]).toEqual(['NOT_FINITE', 'loss', poisonStep, 2]);
      expect(e.message).toContain(`step ${poisonStep} (epoch 2)`);
      expect(Number.isNaN(e.value)).toBe(true);
      const cks = (await readdir(run.checkpointsDir)).sort();
      expect(cks).toEqual([1, 2].map((k) => checkpointName(k * STEPS_PER_EPOCH)));
      // The good checkpoint resumes to the reference result.
      const out = await trainLoop({ run: await openRun(run.dir), resume: true });
      expect(out.weights).toEqual(reference.weights);
    });

    it('checkFiniteLoss returns the value and accepts numbers', async () => {
      const s = tf.scalar(1.25);
      expect(await checkFiniteLoss(s, { step: 0, epoch: 0 })).toBe(1.25);
      expect(s.isDisposed).toBe(false);
      s.dispose();
      await expect(checkFiniteLoss(Number.POSITIVE_INFINITY, { step: 3, epoch: 1, name: 'kl' })).rejects.toMatchObject({ code: 'NOT_FINITE', argument: 'kl', step: 3 });
    });
  });
});
