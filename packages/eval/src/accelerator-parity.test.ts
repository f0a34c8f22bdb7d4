/**
 * Evaluation on an accelerator backend (webgpu; reads are asynchronous
 * only): the weighted kNN monitor, the linear probe, its softmax-regression
 * gradients, alignment, uniformity and the effective rank give the cpu
 * results for the same features and seeds.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import { closenessError, describeBackends, expectParity, seededInput, onCpuAnd } from '@contrastive/test-utils';
import type { ParityInput } from '@contrastive/test-utils';
import { alignment, effectiveRank, knnClassify, linearProbe, uniformity, type KnnOptions, type LinearProbeOptions } from './index';
import { softmaxRegressionGradients } from './softmax-regression';

/** Labelled float32 features: `classes` Gaussian blobs (centres of scale 1, noise `spread`). */
function labelled(seed: number, n: number, d: number, classes: number, spread: number): { x: Float32Array; y: Int32Array } {
  const rng = createRng(seed);
  const centres = Array.from({ length: classes * d }, () => rng.normal());
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(classes);
    y[i] = c;
    for (let a = 0; a < d; a++) x[i * d + a] = centres[c * d + a]! + spread * rng.normal();
  }
  return { x, y };
}

/** Train and test rows from the same blobs. */
function trainTest(seed: number, nTrain: number, nTest: number, d: number, classes: number, spread: number) {
  const all = labelled(seed, nTrain + nTest, d, classes, spread);
  return [
    { x: all.x.slice(0, nTrain * d), y: all.y.slice(0, nTrain) },
    { x: all.x.slice(nTrain * d), y: all.y.slice(nTrain) },
  ] as const;
}

async function knn(bank: { x: Float32Array; y: Int32Array }, test: { x: Float32Array; y: Int32Array }, d: number, options: KnnOptions) {
  const train = tf.tensor2d(bank.x, [bank.y.length, d]);
  const labels = tf.tensor1d(bank.y, 'int32');
  const queries = tf.tensor2d(test.x, [test.y.length, d]);
  try {
    return await knnClassify(train, labels, queries, { testLabels: test.y, ...options });
  } finally {
    tf.dispose([train, labels, queries]);
  }
}

describeBackends(['webgpu'], (backend) => {
  it('weighted kNN: predictions, top-5 and accuracies as on cpu (k below, at and above the bank size, chunked queries)', async () => {
    const d = 16;
    const [bank, test] = trainTest(1, 300, 50, d, 6, 0.8);
    for (const options of [
      { k: 20, temperature: 0.1 },
      { k: 200, temperature: 0.07 },
      { k: 300, temperature: 0.5 },
      { k: 500, temperature: 0.1, chunkElements: 300 * 7 }, // 7 queries per chunk; k capped at 300
      { k: 7, temperature: 0.1, normalize: false },
    ]) {
      const { cpu, gpu } = await onCpuAnd(backend, () => knn(bank, test, d, options));
      const label = JSON.stringify(options);
      expect(Array.from(gpu.predictions), label).toEqual(Array.from(cpu.predictions));
      expect(Array.from(gpu.top5), label).toEqual(Array.from(cpu.top5));
      expect(gpu.top1Accuracy, label).toBe(cpu.top1Accuracy);
      expect(gpu.top5Accuracy, label).toBe(cpu.top5Accuracy);
    }
  });

  it('weighted kNN with duplicate bank rows (exact similarity ties at the k-th neighbour) as on cpu', async () => {
    const d = 8;
    const distinct = labelled(3, 12, d, 4, 0.5);
    // 120 rows, every row repeated 10 times under labels that differ between copies.
    const x = Float32Array.from({ length: 120 * d }, (_, i) => distinct.x[i % (12 * d)]!);
    const y = Int32Array.from({ length: 120 }, (_, i) => (distinct.y[i % 12]! + Math.floor(i / 12)) % 4);
    const test = labelled(4, 20, d, 4, 0.5);
    for (const k of [5, 15, 64]) {
      const { cpu, gpu } = await onCpuAnd(backend, () => knn({ x, y }, test, d, { k, temperature: 0.1 }));
      expect(Array.from(gpu.predictions), `k ${k}`).toEqual(Array.from(cpu.predictions));
      expect(Array.from(gpu.top5), `k ${k}`).toEqual(Array.from(cpu.top5));
    }
  });

  it('linear probe: the same training curve and accuracies as on cpu (Adam and SGD presets, validation split)', async () => {
    const d = 8;
    const [train, test] = trainTest(5, 160, 60, d, 3, 1.2);
    const cases: LinearProbeOptions[] = [
      { preset: 'fast', epochs: 6, batchSize: 32, seed: 1 },
      { preset: 'lightly', epochs: 4, batchSize: 50, seed: 2, weightDecay: 1e-4, nesterov: true, validationFraction: 0.25 },
      { preset: 'align-uniform', epochs: 3, batchSize: 64, seed: 3 },
    ];
    for (const options of cases) {
      const { cpu, gpu } = await onCpuAnd(backend, async () => {
        const data = [train, test].map((s) => ({ features: tf.tensor2d(s.x, [s.y.length, d]), labels: tf.tensor1d(s.y, 'int32') }));
        try {
          return await linearProbe(data[0]!, data[1]!, options);
        } finally {
          tf.dispose(data.flatMap((s) => [s.features, s.labels]));
        }
      });
      const label = JSON.stringify(options);
      // Accuracies are counts of argmax hits over 60 (test) and 120-160 (train)
      // rows: equal unless a logit margin is within rounding, which these
      // separable blobs do not have.
      expect(gpu.testAccuracy, label).toBe(cpu.testAccuracy);
      expect(gpu.trainAccuracy, label).toBe(cpu.trainAccuracy);
      expect(gpu.validationAccuracy, label).toBe(cpu.validationAccuracy);
      expect(gpu.selectedOnValidation, label).toEqual(cpu.selectedOnValidation);
      expect(gpu.history.map((h) => h.testAccuracy), label).toEqual(cpu.history.map((h) => h.testAccuracy));
      // The mean training loss per epoch: float32 products and sums in another order.
      const lossError = closenessError(
        gpu.history.map((h) => h.loss),
        cpu.history.map((h) => h.loss),
        { atol: 1e-5, rtol: 1e-4 },
      );
      expect(lossError, `${label}: losses`).toBeUndefined();
    }
  });

  it('linear probe with 40 classes (argmax over rows of 32 or more logits) as on cpu', async () => {
    const d = 16;
    const [train, test] = trainTest(7, 400, 80, d, 40, 0.3);
    const { cpu, gpu } = await onCpuAnd(backend, async () => {
      const data = [train, test].map((s) => ({ features: tf.tensor2d(s.x, [s.y.length, d]), labels: tf.tensor1d(s.y, 'int32') }));
      try {
        return await linearProbe(data[0]!, data[1]!, { preset: 'fast', epochs: 8, batchSize: 50, learningRate: 0.1, seed: 4, numClasses: 40 });
      } finally {
        tf.dispose(data.flatMap((s) => [s.features, s.labels]));
      }
    });
    expect(gpu.history.map((h) => h.testAccuracy)).toEqual(cpu.history.map((h) => h.testAccuracy));
    expect(gpu.trainAccuracy).toBe(cpu.trainAccuracy);
    expect(gpu.testAccuracy).toBeGreaterThan(0.5);
  });

  it('softmax-regression loss and closed-form gradients (and their own gradients) as on cpu', async () => {
    const labels: ParityInput = { values: Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 5), shape: [16], dtype: 'int32' };
    await expectParity(
      {
        inputs: [seededInput(1, [16, 12], 2), seededInput(2, [12, 5], 0.5), seededInput(3, [5], 0.5), labels],
        fn: (x, w, b, y) =>
          tf.tidy(() => {
            const [loss, dw, db] = softmaxRegressionGradients(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, y as tf.Tensor1D);
            return tf.concat([tf.reshape(loss, [1]), tf.reshape(dw, [-1]), db]);
          }),
      },
      backend,
      'softmax regression',
    );
  });

  it('alignment and uniformity: values and gradients as on cpu (alpha 2 and 1, unnormalised, several chunks)', async () => {
    const x = seededInput(4, [24, 10]);
    const y = seededInput(5, [24, 10]);
    await expectParity({ inputs: [x, y], fn: (a, b) => alignment(a as tf.Tensor2D, b as tf.Tensor2D) }, backend, 'alignment');
    await expectParity({ inputs: [x, y], fn: (a, b) => alignment(a as tf.Tensor2D, b as tf.Tensor2D, { alpha: 1 }) }, backend, 'alignment alpha 1');
    await expectParity({ inputs: [x, y], fn: (a, b) => alignment(a as tf.Tensor2D, b as tf.Tensor2D, { normalize: false }) }, backend, 'alignment unnormalised');
    await expectParity({ inputs: [x], fn: (a) => uniformity(a as tf.Tensor2D) }, backend, 'uniformity');
    await expectParity({ inputs: [x], fn: (a) => uniformity(a as tf.Tensor2D, { t: 3, chunkElements: 24 * 5 }) }, backend, 'uniformity chunked');
    await expectParity({ inputs: [seededInput(6, [2, 4])], fn: (a) => uniformity(a as tf.Tensor2D) }, backend, 'uniformity of two rows');
    await expectParity({ inputs: [seededInput(7, [30, 6], 0.3)], fn: (a) => uniformity(a as tf.Tensor2D, { normalize: false }) }, backend, 'uniformity unnormalised');
  });

  it('effective rank (rows and columns Gram, centred) from a device tensor as on cpu', async () => {
    for (const [n, d, center] of [[40, 12, false], [8, 20, false], [40, 12, true]] as const) {
      const values = seededInput(8 + n, [n, d]).values as Float32Array;
      const { cpu, gpu } = await onCpuAnd(backend, async () => {
        // Produced on the device (a matmul), then read back by effectiveRank.
        const x = tf.tensor2d(values, [n, d]);
        const mixed = tf.tidy(() => tf.matMul(x, tf.mul(tf.eye(d), 2)));
        const rank = await effectiveRank(mixed as tf.Tensor2D, { center });
        const features = Float32Array.from(await mixed.data());
        tf.dispose([x, mixed]);
        return { rank, features };
      });
      expect(Array.from(gpu.features)).toEqual(Array.from(cpu.features));
      expect(gpu.rank, `${n}x${d} center ${center}`).toBe(cpu.rank);
    }
  });
});
