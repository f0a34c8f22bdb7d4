/**
 * The linear probe of MoCo's main_lincls (spec §7.3): the training features
 * are not fixed but come fresh every epoch from augmented images
 * (RandomResizedCrop(224) + horizontal flip) through the frozen backbone in
 * eval mode; the caller produces them, this trains the softmax-regression
 * layer on them under the preset's optimiser and schedule (MoCo: SGD lr 30,
 * momentum 0.9, wd 0, batch 256, 100 epochs, x0.1 at 60 and 80) and tests
 * after every epoch on fixed test features (Resize(256)-CenterCrop(224)).
 * Reads per epoch: one for the loss and running accuracy, one per 8192 test
 * rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError, assertInteger, createRng, describeShape } from '@contrastive/core';
import { readLabels } from './label-array';
import { checkData, resolveProbeConfig, type LinearProbeEpoch, type LinearProbeOptions, type LinearProbeResult, type ProbeData } from './linear-probe';
import { learningRateAt } from './linear-probe-presets';
import { createProbeLayer } from './probe-layer';

/** One training batch: features `[B, d]` float32 of freshly augmented images and their labels `[B]` int32. The probe disposes both. */
export interface ProbeBatch {
  features: Tensor2D;
  labels: Tensor1D;
}

/**
 * The training batches of epoch `epoch` (0-based) in batches of
 * `batchSize` images: a new augmentation draw every epoch, order shuffled
 * as the caller's loader does.
 */
export type ProbeBatches = (epoch: number, batchSize: number) => AsyncIterable<ProbeBatch>;

/** Options of {@link linearProbeStream}: {@link LinearProbeOptions} without a validation split; `numClasses` required. */
export interface LinearProbeStreamOptions extends Omit<LinearProbeOptions, 'validationFraction' | 'numClasses'> {
  numClasses: number;
}

/**
 * Trains a linear classifier on features streamed per epoch by `batches`
 * and evaluates it on fixed `test` features after every epoch. The result's
 * `trainAccuracy` is the last epoch's running accuracy on its augmented
 * batches, each predicted just before its step (main_lincls's train Acc@1).
 *
 * @example
 * const r = await linearProbeStream(
 *   async function* (epoch, batchSize) { for await (const b of augmentedBatches(epoch, batchSize)) yield { features: embed(b.images), labels: b.labels }; },
 *   { features: testX, labels: testY },
 *   { preset: 'moco', numClasses: 1000, seed: 0 },
 * );
 */
export async function linearProbeStream(batches: ProbeBatches, test: ProbeData, options: LinearProbeStreamOptions): Promise<LinearProbeResult> {
  const fn = 'linearProbeStream';
  checkData(fn, 'test', test);
  const d = test.features.shape[1];
  const config = resolveProbeConfig(fn, options);
  const numClasses = options.numClasses;
  const testLabels = await readLabels(fn, 'test.labels', test.labels);
  let maxLabel = 0;
  for (const l of testLabels) maxLabel = Math.max(maxLabel, l);
  assertInteger(fn, 'numClasses', numClasses, Math.max(2, maxLabel + 1));
  const seed = options.seed ?? 0;
  assertInteger(fn, 'seed', seed);
  const layer = createProbeLayer(d, numClasses, config, createRng(seed).seed());
  try {
    const history: LinearProbeEpoch[] = [];
    let bestTest = { epoch: 0, testAccuracy: -1 };
    let trainAccuracy = NaN;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const lr = learningRateAt(config, epoch);
      // [loss x rows, correct] summed on the device; read once at the epoch's end.
      let totals: tf.Tensor1D = tf.zeros([2]);
      let rows = 0;
      try {
        for await (const batch of batches(epoch, config.batchSize)) {
          try {
            const { features, labels } = batch;
            if (features.rank !== 2 || features.shape[1] !== d || labels.shape[0] !== features.shape[0]) {
              throw argumentError('SHAPE_MISMATCH', fn, 'batches', `features [B, ${d}] with B labels`, `${describeShape(features.shape)} with ${describeShape(labels.shape)}`);
            }
            const next = tf.tidy(() => {
              const correct = tf.sum(tf.cast(tf.equal(layer.predict(features), labels), 'float32'));
              const loss = layer.step(features, labels, lr);
              return tf.add(totals, tf.stack([tf.mul(loss, features.shape[0]), correct])) as tf.Tensor1D;
            });
            totals.dispose();
            totals = next;
            rows += features.shape[0];
          } finally {
            tf.dispose([batch.features, batch.labels]);
          }
        }
        if (rows === 0) throw argumentError('INVALID_ARGUMENT', fn, 'batches', 'at least one batch per epoch', `none in epoch ${epoch}`);
        const [lossSum, correct] = await totals.data();
        trainAccuracy = correct! / rows;
        const testAccuracy = await layer.accuracy(test.features, testLabels);
        const record: LinearProbeEpoch = { epoch: epoch + 1, learningRate: lr, loss: lossSum! / rows, testAccuracy };
        if (testAccuracy > bestTest.testAccuracy) bestTest = { epoch: epoch + 1, testAccuracy };
        history.push(record);
        options.onEpoch?.(record);
      } finally {
        totals.dispose();
      }
    }
    return { testAccuracy: history[history.length - 1]!.testAccuracy, trainAccuracy, bestTestAccuracyOptimistic: bestTest, history, config };
  } finally {
    layer.dispose();
  }
}
