import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { describeBackends, expectNoLeakAsync } from '@contrastive/test-utils';
import { useBackend } from '@contrastive/test-utils';

beforeAll(async () => {
  await useBackend('cpu');
});
import { learningRateAt, linearProbe, linearProbeStream, LINEAR_PROBE_PRESETS, type ProbeBatch } from './index';

/** Linearly separable features: class c has mean 3 e_c plus N(0, 0.5^2) noise in 8 dims. */
function separable(seed: number, n: number, classes: number): { x: tf.Tensor2D; y: Int32Array } {
  const rng = createRng(seed);
  const d = 8;
  const data = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % classes;
    for (let a = 0; a < d; a++) data[i * d + a] = (a === y[i] ? 3 : 0) + 0.5 * rng.normal();
  }
  return { x: tf.tensor2d(data, [n, d]), y };
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; argument?: string }> {
  try {
    await p;
  } catch (error) {
    return error as { code?: string; argument?: string };
  }
  throw new Error('expected a rejection');
}

describe('linearProbeStream', () => {
  it('fed the fixed features in linearProbe\'s batch order, it trains the same layer (MoCo SGD, x0.1 at 60%/80%)', async () => {
    const train = separable(5, 300, 3);
    const test = separable(6, 90, 3);
    const options = { preset: 'moco' as const, learningRate: 0.5, epochs: 5, batchSize: 64, schedule: { type: 'step' as const, milestones: [3, 4], gamma: 0.1 }, seed: 4 };
    const fixed = await linearProbe({ features: train.x, labels: train.y }, { features: test.x, labels: test.y }, options);
    // linearProbe draws the init seed, then one permutation per epoch, from createRng(seed).
    const rng = createRng(4);
    rng.seed();
    const calls: [number, number][] = [];
    const labels = tf.tensor1d(train.y, 'int32');
    async function* batches(epoch: number, batchSize: number): AsyncGenerator<ProbeBatch> {
      calls.push([epoch, batchSize]);
      const perm = rng.permutation(300);
      for (let start = 0; start < 300; start += batchSize) {
        const idx = tf.tensor1d(perm.subarray(start, Math.min(start + batchSize, 300)), 'int32');
        yield { features: tf.gather(train.x, idx) as tf.Tensor2D, labels: tf.gather(labels, idx) as tf.Tensor1D };
        idx.dispose();
      }
    }
    const streamed = await expectNoLeakAsync(
      () => linearProbeStream(batches, { features: test.x, labels: test.y }, { ...options, numClasses: 3 }),
      0,
    );
    expect(calls).toEqual([0, 1, 2, 3, 4].map((e) => [e, 64]));
    expect(streamed.history.map((h) => [h.learningRate, h.testAccuracy])).toEqual(fixed.history.map((h) => [h.learningRate, h.testAccuracy]));
    streamed.history.forEach((h, i) => expect(h.loss).toBeCloseTo(fixed.history[i]!.loss, 5));
    expect(streamed.testAccuracy).toBe(fixed.testAccuracy);
    expect(streamed.trainAccuracy).toBeGreaterThan(0.9);
    // A batch of the wrong width is rejected, and its tensors are still freed.
    const bad = async function* (): AsyncGenerator<ProbeBatch> {
      yield { features: tf.zeros([4, 3]) as tf.Tensor2D, labels: tf.zeros([4], 'int32') as tf.Tensor1D };
    };
    const error = await expectNoLeakAsync(() => linearProbeStream(bad, { features: test.x, labels: test.y }, { numClasses: 3 }).catch((e: unknown) => e as { code?: string }), 0);
    expect(error).toMatchObject({ code: 'SHAPE_MISMATCH', argument: 'batches' });
    tf.dispose([train.x, test.x, labels]);
  });
});

describeBackends(['cpu', 'wasm'], () => {
  describe('linearProbe', () => {
    it('reaches near-perfect accuracy on linearly separable features (fast preset)', async () => {
      const train = separable(1, 600, 4);
      const test = separable(2, 200, 4);
      const r = await expectNoLeakAsync(
        () => linearProbe({ features: train.x, labels: train.y }, { features: test.x, labels: test.y }, { epochs: 10, seed: 1 }),
        0,
      );
      expect(r.history.length).toBe(10);
      expect(r.testAccuracy).toBeGreaterThanOrEqual(0.98);
      expect(r.trainAccuracy).toBeGreaterThanOrEqual(0.98);
      expect(r.testAccuracy).toBe(r.history[9]!.testAccuracy);
      expect(r.bestTestAccuracyOptimistic.testAccuracy).toBeGreaterThanOrEqual(r.testAccuracy);
      expect(r.history[9]!.loss).toBeLessThan(r.history[0]!.loss);
      tf.dispose([train.x, test.x]);
    });

    it('trains with the MoCo SGD protocol and a validation split', async () => {
      const train = separable(3, 400, 3);
      const test = separable(4, 120, 3);
      const labels = tf.tensor1d(train.y, 'int32');
      const r = await linearProbe(
        { features: train.x, labels },
        { features: test.x, labels: test.y },
        { preset: 'moco', learningRate: 0.5, epochs: 8, batchSize: 64, validationFraction: 0.25, seed: 2 },
      );
      expect(r.config.optimizer).toBe('sgd');
      expect(r.config.momentum).toBe(0.9);
      expect(r.testAccuracy).toBeGreaterThanOrEqual(0.97);
      expect(r.validationAccuracy).toBeGreaterThanOrEqual(0.95);
      expect(r.selectedOnValidation?.epoch).toBeGreaterThanOrEqual(1);
      const again = await linearProbe(
        { features: train.x, labels },
        { features: test.x, labels: test.y },
        { preset: 'moco', learningRate: 0.5, epochs: 8, batchSize: 64, validationFraction: 0.25, seed: 2 },
      );
      expect(again.history.map((h) => h.loss)).toEqual(r.history.map((h) => h.loss));
      tf.dispose([train.x, test.x, labels]);
    });
  });
});

describe('linear probe presets', () => {
  it('encode spec §7.3 (MoCo lr 30 x0.1 at 60/80, PCL lr 5, align-uniform Adam x0.2)', () => {
    const moco = LINEAR_PROBE_PRESETS.moco;
    expect([moco.learningRate, moco.momentum, moco.weightDecay, moco.batchSize, moco.epochs]).toEqual([30, 0.9, 0, 256, 100]);
    expect(learningRateAt(moco, 59)).toBe(30);
    expect(learningRateAt(moco, 60)).toBeCloseTo(3, 12);
    expect(learningRateAt(moco, 80)).toBeCloseTo(0.3, 12);
    expect(LINEAR_PROBE_PRESETS.pcl.learningRate).toBe(5);
    const au = LINEAR_PROBE_PRESETS['align-uniform'];
    expect([au.optimizer, au.learningRate, au.betas[0], au.batchSize]).toEqual(['adam', 1e-3, 0.5, 128]);
    expect(learningRateAt(au, 85)).toBeCloseTo(1e-3 * 0.04, 15);
    expect(learningRateAt(LINEAR_PROBE_PRESETS.lightly, 45)).toBeCloseTo(0.05, 12);
    // SimCLR README CIFAR-10 linear eval: Nesterov momentum, 0.1 x 512/256, batch 512, 100 epochs, cosine, zero-init logits.
    const sc = LINEAR_PROBE_PRESETS['simclr-cifar'];
    expect([sc.optimizer, sc.learningRate, sc.momentum, sc.nesterov, sc.weightDecay, sc.batchSize, sc.epochs, sc.initStd]).toEqual(['sgd', 0.2, 0.9, true, 0, 512, 100, 0]);
    expect(learningRateAt(sc, 50)).toBeCloseTo(0.1, 12);
  });

  it('rejects bad input', async () => {
    const x = tf.zeros([4, 2]) as tf.Tensor2D;
    const t = tf.zeros([2, 3]) as tf.Tensor2D;
    const ok = { features: x, labels: [0, 1, 0, 1] };
    expect(await rejection(linearProbe(ok, { features: t, labels: [0, 1] }))).toMatchObject({ code: 'SHAPE_MISMATCH', argument: 'test.features' });
    expect(await rejection(linearProbe(ok, ok, { preset: 'mocco' as 'moco' }))).toMatchObject({ code: 'UNKNOWN_NAME', argument: 'preset' });
    expect(await rejection(linearProbe(ok, ok, { validationFraction: 1 }))).toMatchObject({ code: 'OUT_OF_RANGE', argument: 'validationFraction' });
    expect(await rejection(linearProbe({ features: x, labels: [0, 1] }, ok))).toMatchObject({ code: 'SHAPE_MISMATCH', argument: 'train.labels' });
    tf.dispose([x, t]);
  });
});
