import * as tf from '@tensorflow/tfjs-core';
import { input, layers, model as functionalModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInMemoryDataset, createLoader } from '@contrastive/data';
import { SplitBatchNormalization } from '@contrastive/encoders';
import { expectClose, expectNoLeakAsync, useBackend } from '@contrastive/test-utils';
import { BATCH_NORM_CALIBRATION_SEED_OFFSET, calibrateBatchNorm, holdBatchNormStatistics } from './calibrate-batch-norm';

beforeAll(async () => {
  await useBackend('cpu');
});

const SIDE = 4;
const CHANNELS = 2;
const EPS = 1e-5;
const GAMMA = [1.5, 0.5];
const BETA = [0.25, -0.1];

/** 40 seeded 4x4x2 images whose channels have different means and spreads. */
function dataset() {
  const n = 40;
  const pixels = new Uint8Array(n * SIDE * SIDE * CHANNELS);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i % 2 === 0 ? 30 : 150) + ((i * 7919 + 13) % (i % 2 === 0 ? 50 : 90));
  return createInMemoryDataset(pixels, Int32Array.from({ length: n }, (_, i) => i % 2), [SIDE, SIDE, CHANNELS], { numClasses: 2 });
}

/** The eval transform of the test: x -> 2x - 1. */
const transform = (x: tf.Tensor4D) => tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D;

/**
 * images -> BN (2 groups, momentum 0.9, ReLU) -> BN (1 group, momentum 0.99)
 * -> flatten -> dense 3: two BN layers (one nested in an inner model) and
 * weights that must not move.
 */
function encoder() {
  const inner = (() => {
    const x = input({ shape: [SIDE, SIDE, CHANNELS] });
    const y = new SplitBatchNormalization({ numGroups: 2, momentum: 0.9, activation: 'relu', name: 'bn1' }).apply(x) as SymbolicTensor;
    return functionalModel({ inputs: x, outputs: y, name: 'inner' });
  })();
  const x = input({ shape: [SIDE, SIDE, CHANNELS] });
  const h = new SplitBatchNormalization({ momentum: 0.99, name: 'bn2' }).apply(inner.apply(x) as SymbolicTensor) as SymbolicTensor;
  const z = layers.dense({ units: 3, name: 'fc' }).apply(layers.flatten().apply(h)) as SymbolicTensor;
  const model = functionalModel({ inputs: x, outputs: [h, z] });
  // Non-default gamma and beta for the first layer, so the reference depends on them.
  const bn1 = inner.getLayer('bn1');
  bn1.setWeights([tf.tensor1d(GAMMA), tf.tensor1d(BETA), ...bn1.getWeights().slice(2)]);
  return {
    model,
    forward(images: tf.Tensor4D, options: { training?: boolean } = {}) {
      const [features, projections] = model.apply(images, { training: options.training ?? true }) as [tf.Tensor2D, tf.Tensor2D];
      return { features, projections };
    },
  };
}

/** Per-channel mean and biased variance over `rows` (each a flat HWC image). */
function moments(rows: Float64Array[]): { mean: number[]; variance: number[]; count: number } {
  const mean = [0, 0];
  const variance = [0, 0];
  let count = 0;
  for (const r of rows) for (let i = 0; i < r.length; i++) mean[i % CHANNELS]! += r[i]!;
  count = (rows.length * rows[0]!.length) / CHANNELS;
  for (let c = 0; c < CHANNELS; c++) mean[c]! /= count;
  for (const r of rows) for (let i = 0; i < r.length; i++) variance[i % CHANNELS]! += (r[i]! - mean[i % CHANNELS]!) ** 2;
  for (let c = 0; c < CHANNELS; c++) variance[c]! /= count;
  return { mean, variance, count };
}

/**
 * Float64 reference: for each calibration batch (the loader's seeded order),
 * BN1's running input is the mean over its 2 groups of the group mean and
 * unbiased group variance; BN2's likewise over the whole batch of BN1's
 * train-mode output; each averaged over the batches.
 */
async function reference(batchSize: number, batches: number, seed: number) {
  const data = dataset();
  const order = createLoader(data, { batchSize, shuffle: true, seed: seed + BATCH_NORM_CALIBRATION_SEED_OFFSET, dropLast: true }).order(0);
  const pixels = SIDE * SIDE * CHANNELS;
  const sum = { m1: [0, 0], v1: [0, 0], m2: [0, 0], v2: [0, 0] };
  for (let b = 0; b < batches; b++) {
    const { images } = await data.get(order.subarray(b * batchSize, (b + 1) * batchSize));
    const rows = Array.from({ length: batchSize }, (_, i) => Float64Array.from(images.subarray(i * pixels, (i + 1) * pixels), (v) => (2 * v) / 255 - 1));
    const out: Float64Array[] = [];
    for (let g = 0; g < 2; g++) {
      const group = rows.slice((g * batchSize) / 2, ((g + 1) * batchSize) / 2);
      const m = moments(group);
      for (let c = 0; c < CHANNELS; c++) {
        sum.m1[c]! += m.mean[c]! / 2;
        sum.v1[c]! += (m.variance[c]! * m.count) / (m.count - 1) / 2;
      }
      for (const r of group) {
        out.push(r.map((v, i) => Math.max(0, ((v - m.mean[i % CHANNELS]!) / Math.sqrt(m.variance[i % CHANNELS]! + EPS)) * GAMMA[i % CHANNELS]! + BETA[i % CHANNELS]!)));
      }
    }
    const m2 = moments(out);
    for (let c = 0; c < CHANNELS; c++) {
      sum.m2[c]! += m2.mean[c]!;
      sum.v2[c]! += (m2.variance[c]! * m2.count) / (m2.count - 1);
    }
  }
  const avg = (v: number[]) => v.map((x) => x / batches);
  return { mean1: avg(sum.m1), variance1: avg(sum.v1), mean2: avg(sum.m2), variance2: avg(sum.v2) };
}

/** Every weight of the model by name, as host arrays. */
async function weightsByName(model: { weights: { originalName: string; read(): tf.Tensor }[] }) {
  const out = new Map<string, Float32Array>();
  for (const w of model.weights) out.set(w.originalName, (await w.read().data()) as Float32Array);
  return out;
}

describe('calibrateBatchNorm', () => {
  it('sets every BN layer (nested too) to the average over seeded training-mode batches of the batch mean and unbiased variance (float64 reference)', async () => {
    const e = encoder();
    const result = await calibrateBatchNorm(e, dataset(), transform, { batchSize: 8, images: 20, seed: 3 });
    // ceil(20 / 8) = 3 of the 5 full batches.
    expect(result).toEqual({ layers: 2, batches: 3 });
    const ref = await reference(8, 3, 3);
    const w = await weightsByName(e.model);
    expectClose(w.get('bn1/moving_mean')!, ref.mean1, { rtol: 1e-5, atol: 1e-6 });
    expectClose(w.get('bn1/moving_variance')!, ref.variance1, { rtol: 1e-5, atol: 1e-6 });
    expectClose(w.get('bn2/moving_mean')!, ref.mean2, { rtol: 1e-5, atol: 1e-6 });
    expectClose(w.get('bn2/moving_variance')!, ref.variance2, { rtol: 1e-5, atol: 1e-6 });
    e.model.dispose();
  });

  it('changes no weight but the running statistics, leaks no tensor, and caps the batches at the full batches the set holds', async () => {
    const e = encoder();
    const before = await weightsByName(e.model);
    const result = await expectNoLeakAsync(() => calibrateBatchNorm(e, dataset(), transform, { batchSize: 8, seed: 1 }), 0);
    expect(result.batches).toBe(5);
    const after = await weightsByName(e.model);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, values] of after) {
      if (/moving_(mean|variance)$/.test(name)) expect(Array.from(values), name).not.toEqual(Array.from(before.get(name)!));
      else expect(Array.from(values), name).toEqual(Array.from(before.get(name)!));
    }
    e.model.dispose();
  });

  it('holdBatchNormStatistics puts the initial statistics back bit for bit', async () => {
    const e = encoder();
    const before = await weightsByName(e.model);
    const restore = holdBatchNormStatistics(e.model);
    await calibrateBatchNorm(e, dataset(), transform, { batchSize: 8, seed: 1 });
    const tensors = tf.memory().numTensors;
    restore();
    restore();
    expect(tf.memory().numTensors).toBe(tensors - 4);
    const after = await weightsByName(e.model);
    for (const [name, values] of after) expect(Array.from(values), name).toEqual(Array.from(before.get(name)!));
    e.model.dispose();
  });
});
