/**
 * BatchNorm running statistics of an untrained encoder, calibrated on
 * training images: the fair "same encoder at random init" baseline.
 *
 * A freshly built encoder's BatchNorm layers hold their initial running
 * statistics (mean 0, variance 1), so in inference mode they do not normalise
 * at all; training moves those statistics to the data's even at a learning
 * rate of 1e-9 (an encoder that learned nothing then gains ~12 kNN points on
 * the kit's synthetic problem). Before its kNN is measured, the random-init
 * encoder therefore gets the population statistics of training batches:
 * PreciseBN (Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm", §3), the
 * equal-weight average over a fixed, seeded set of training-mode batches of
 * what each layer would fold into its running averages (the batch mean and
 * the unbiased batch variance, per BN group). Only the running statistics
 * change; gamma, beta and every other weight stay as initialised.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation } from '@contrastive/augment';
import { assertInteger } from '@contrastive/core';
import { createLoader, type Dataset } from '@contrastive/data';
import { SplitBatchNormalization, type ComposedEncoder } from '@contrastive/encoders';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';

/**
 * Images the calibration averages over (rounded up to whole training
 * batches, capped by the full batches the training set holds). Our choice:
 * 2048 averages the batch-to-batch noise of the estimates well below that of
 * a trained encoder's statistics, an exponential average at PyTorch's momentum
 * 0.1 that weighs about its last 10 batches; at 28 x 28 and a small ConvNet it
 * costs about as much as embedding a kNN bank of 2048 images.
 */
export const BATCH_NORM_CALIBRATION_IMAGES = 2048;

/** Seed offset of the calibration batches' shuffle (apart from the run's other seeded draws). */
export const BATCH_NORM_CALIBRATION_SEED_OFFSET = 11;

/** One BatchNorm layer's running statistics and its decay. */
interface RunningStatistics {
  mean: LayerVariable;
  variance: LayerVariable;
  /** Keras-style decay: `running = momentum * running + (1 - momentum) * batch`. */
  momentum: number;
}

/** Every BatchNorm layer of `model`, nested models included, each once. */
function runningStatistics(model: LayersModel): RunningStatistics[] {
  const found = new Set<SplitBatchNormalization>();
  const visit = (layer: unknown): void => {
    if (layer instanceof SplitBatchNormalization) found.add(layer);
    const nested = (layer as { layers?: unknown[] }).layers;
    if (Array.isArray(nested)) nested.forEach(visit);
  };
  visit(model);
  return [...found].map((layer) => {
    const pick = (suffix: string) => layer.weights.find((w) => w.originalName.endsWith(suffix))!;
    return { mean: pick('moving_mean'), variance: pick('moving_variance'), momentum: layer.momentum };
  });
}

/**
 * Copies every BatchNorm running statistic of `model`; the returned function
 * writes the copies back (once) and frees them. Lets a run measure its
 * calibrated random-init encoder and then train from the untouched init.
 */
export function holdBatchNormStatistics(model: LayersModel): () => void {
  const held = runningStatistics(model).flatMap((s) => [s.mean, s.variance]).map((v) => ({ v, copy: tf.clone(v.read()) }));
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    for (const { v, copy } of held) {
      v.write(copy);
      copy.dispose();
    }
  };
}

/** Options of {@link calibrateBatchNorm}. */
export interface BatchNormCalibrationOptions {
  /** Images per training-mode batch: the run's `train.batchSize`, so BN sees batches of the size training does. */
  batchSize: number;
  /** Images to average over; default {@link BATCH_NORM_CALIBRATION_IMAGES}. */
  images?: number;
  /** The run's seed; the batches are a seeded shuffle of `dataset`. */
  seed: number;
}

/** What {@link calibrateBatchNorm} did. */
export interface BatchNormCalibration {
  /** BatchNorm layers calibrated. */
  layers: number;
  /** Training-mode batches averaged. */
  batches: number;
}

/**
 * Sets every BatchNorm layer's running mean and variance of `encoder` to the
 * average over `ceil(images / batchSize)` seeded, shuffled, full batches of
 * `dataset` (at most as many as it holds) after the deterministic `transform`
 * (the run's eval transform), each forwarded in training mode: per layer,
 * `mean = (1/N) sum_b mean_b`, `variance = (1/N) sum_b var_b` with `var_b`
 * the unbiased variance of batch b (averaged over the layer's BN groups), the
 * values training would fold into its exponential averages. Weights other than
 * the running statistics are not touched. Data stays on the device (no host
 * reads). A layer with momentum 1 never moves its statistics in training and
 * keeps them here too.
 */
export async function calibrateBatchNorm(
  encoder: Pick<ComposedEncoder, 'model' | 'forward'>,
  dataset: Dataset,
  transform: Augmentation,
  options: BatchNormCalibrationOptions,
): Promise<BatchNormCalibration> {
  const fn = 'calibrateBatchNorm';
  assertInteger(fn, 'batchSize', options.batchSize, 1);
  const images = options.images ?? BATCH_NORM_CALIBRATION_IMAGES;
  assertInteger(fn, 'images', images, 1);
  const stats = runningStatistics(encoder.model).filter((s) => s.momentum < 1);
  const loader = createLoader(dataset, { batchSize: options.batchSize, shuffle: true, seed: options.seed + BATCH_NORM_CALIBRATION_SEED_OFFSET, dropLast: true });
  const wanted = Math.min(loader.stepsPerEpoch, Math.ceil(images / options.batchSize));
  if (stats.length === 0 || wanted === 0) return { layers: stats.length, batches: 0 };
  const sums = stats.map((s) => ({ mean: tf.zerosLike(s.mean.read()), variance: tf.zerosLike(s.variance.read()) }));
  let batches = 0;
  try {
    for await (const batch of loader.epoch(0)) {
      try {
        if (batches < wanted) {
          tf.tidy(() => {
            // From zero, one update leaves (1 - momentum) * (the batch's value): read it back undamped.
            for (const s of stats) {
              s.mean.write(tf.zerosLike(s.mean.read()));
              s.variance.write(tf.zerosLike(s.variance.read()));
            }
            const out = encoder.forward(transform(batch.images, { seed: 0 }) as tf.Tensor4D, { training: true });
            tf.dispose([out.features, out.projections, out.predictions]);
          });
          sums.forEach((sum, i) => {
            const s = stats[i]!;
            const next = tf.tidy(() => ({
              mean: tf.add(sum.mean, tf.div(s.mean.read(), 1 - s.momentum)),
              variance: tf.add(sum.variance, tf.div(s.variance.read(), 1 - s.momentum)),
            }));
            tf.dispose([sum.mean, sum.variance]);
            sums[i] = next;
          });
          batches++;
        }
      } finally {
        tf.dispose([batch.images, batch.labels]);
      }
      if (batches >= wanted) break;
    }
    tf.tidy(() => {
      stats.forEach((s, i) => {
        s.mean.write(tf.div(sums[i]!.mean, batches));
        s.variance.write(tf.div(sums[i]!.variance, batches));
      });
    });
    return { layers: stats.length, batches };
  } finally {
    for (const sum of sums) tf.dispose([sum.mean, sum.variance]);
  }
}
