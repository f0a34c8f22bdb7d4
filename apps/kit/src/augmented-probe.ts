/**
 * The final linear probe as MoCo's main_lincls trains it (spec §7.3), an
 * option of the ImageNet presets (`eval.linearProbeAugmented`): every epoch
 * the training images are cut anew by RandomResizedCrop(224) (torchvision's
 * default scale (0.08, 1) and ratio (3/4, 4/3)) with a horizontal flip, go
 * through the frozen backbone in eval mode (BN running statistics, no
 * update), and the linear layer trains on those features under the probe
 * preset's optimiser and schedule (MoCo: SGD lr 30, momentum 0.9, wd 0,
 * batch 256, 100 epochs, x0.1 at 60 and 80). The test features are the
 * evaluation transform's (Resize(256)-CenterCrop(224)).
 */
import * as tf from '@tensorflow/tfjs-core';
import { horizontalFlip, randomResizedCrop, type Augmentation } from '@contrastive/augment';
import { createRng, type Rng } from '@contrastive/core';
import { createLoader, type Dataset, type ViewDataset } from '@contrastive/data';
import { linearProbeStream, type LinearProbePreset, type ProbeBatch } from '@contrastive/eval';
import type { ComposedEncoder } from '@contrastive/encoders';
import { probeScore, type EvalSets } from './evaluate';
import { backboneFeatures, type Embed, type FeatureSet } from './features';
import type { RunAugment } from './open-augment';

/** torchvision RandomResizedCrop defaults, as main_lincls uses them. */
export const PROBE_CROP = Object.freeze({ scale: [0.08, 1] as const, ratio: [3 / 4, 4 / 3] as const, flipP: 0.5 });

/** One batch of probe training images: normalised crops `[B, size, size, C]` and labels `[B]` int32 (the caller disposes). */
export interface ProbeImages {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
}

/**
 * Where the probe's training crops come from: epoch `epoch`'s images in
 * batches of `batchSize`, each a fresh RandomResizedCrop + flip, normalised.
 * {@link tensorProbeCrops} cuts them from decoded tensors; a dataset that
 * cuts crops at decode time can provide its own.
 */
export interface ProbeCrops {
  epoch(epoch: number, batchSize: number): AsyncIterable<ProbeImages>;
}

/**
 * Crops cut on the active backend with @contrastive/augment's
 * randomResizedCrop (flip folded in) from the loader's decoded images,
 * then `normalize`. Batch order: the loader's seeded shuffle of each epoch;
 * crops: one generator seeded by `seed`, drawn in order.
 */
export function tensorProbeCrops(dataset: Dataset, options: { size: number; normalize: Augmentation; seed: number }): ProbeCrops {
  const rng: Rng = createRng(options.seed * 7919 + 4);
  return {
    async *epoch(epoch, batchSize) {
      const loader = createLoader(dataset, { batchSize, shuffle: true, seed: options.seed, dropLast: false });
      for await (const batch of loader.epoch(epoch)) {
        try {
          const images = tf.tidy(() => options.normalize(randomResizedCrop(batch.images, rng, { size: options.size, ...PROBE_CROP }), rng));
          yield { images, labels: batch.labels };
        } finally {
          batch.images.dispose();
        }
      }
    },
  };
}

/**
 * Crops cut at decode time by a dataset that decodes views (an ImageFolder's
 * `getViews`, through the loader's `views`): RandomResizedCrop drawn on each
 * image's full size, as torchvision does, then a flip and `normalize` on the
 * active backend. Crop boxes depend only on (seed, epoch, index).
 */
export function decodeProbeCrops(dataset: ViewDataset, options: { size: number; normalize: Augmentation; seed: number }): ProbeCrops {
  const rng: Rng = createRng(options.seed * 7919 + 4);
  const views = { count: 1, size: options.size, scale: PROBE_CROP.scale, ratio: PROBE_CROP.ratio, seed: options.seed * 7919 + 5 };
  return {
    async *epoch(epoch, batchSize) {
      const loader = createLoader(dataset, { batchSize, shuffle: true, seed: options.seed, dropLast: false, views });
      for await (const batch of loader.epoch(epoch)) {
        try {
          const images = tf.tidy(() => options.normalize(horizontalFlip(batch.images, rng, { p: PROBE_CROP.flipP }), rng));
          yield { images, labels: batch.labels };
        } finally {
          batch.images.dispose();
        }
      }
    },
  };
}

/** {@link decodeProbeCrops} for a dataset that decodes views, else {@link tensorProbeCrops}. */
export function probeCrops(dataset: Dataset, options: { size: number; normalize: Augmentation; seed: number }): ProbeCrops {
  return typeof (dataset as Partial<ViewDataset>).getViews === 'function'
    ? decodeProbeCrops(dataset as ViewDataset, options)
    : tensorProbeCrops(dataset, options);
}

/**
 * Trains the probe on `crops` through `embed` (the frozen backbone, eval
 * mode) and tests it on `queries`; accuracies in percent.
 */
export async function augmentedProbeScore(
  embed: Embed,
  crops: ProbeCrops,
  queries: FeatureSet,
  options: { preset: LinearProbePreset; epochs?: number; numClasses: number; seed: number },
): Promise<{ top1: number; bestTestOptimistic: number; epochs: number }> {
  async function* batches(epoch: number, batchSize: number): AsyncGenerator<ProbeBatch> {
    for await (const { images, labels } of crops.epoch(epoch, batchSize)) {
      let features: tf.Tensor2D;
      try {
        features = tf.tidy(() => embed(images));
      } catch (error) {
        labels.dispose();
        throw error;
      } finally {
        images.dispose();
      }
      yield { features, labels };
    }
  }
  const result = await linearProbeStream(batches, queries, {
    preset: options.preset,
    numClasses: options.numClasses,
    seed: options.seed,
    ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
  });
  return { top1: 100 * result.testAccuracy, bestTestOptimistic: 100 * result.bestTestAccuracyOptimistic.testAccuracy, epochs: result.config.epochs };
}

/**
 * The run's final linear probe as its `eval` config asks: main_lincls's
 * protocol on `trainImages` (the whole labelled training set) when
 * `linearProbeAugmented`, else the probe on the fixed bank features of
 * `sets`; undefined for `linearProbe: 'none'`.
 */
export async function finalProbe(
  config: { eval: { linearProbe: string; linearProbeEpochs?: number | undefined; linearProbeAugmented: boolean }; seed: number },
  context: { encoder: ComposedEncoder; sets: EvalSets; trainImages: Dataset; augment: Pick<RunAugment, 'size' | 'normalize'>; numClasses: number },
): Promise<{ top1: number; bestTestOptimistic: number; epochs: number } | undefined> {
  if (config.eval.linearProbe === 'none') return undefined;
  const options = {
    preset: config.eval.linearProbe as LinearProbePreset,
    numClasses: context.numClasses,
    seed: config.seed,
    ...(config.eval.linearProbeEpochs === undefined ? {} : { epochs: config.eval.linearProbeEpochs }),
  };
  if (!config.eval.linearProbeAugmented) return probeScore(context.sets, options);
  const crops = probeCrops(context.trainImages, { size: context.augment.size, normalize: context.augment.normalize, seed: config.seed });
  return augmentedProbeScore(backboneFeatures(context.encoder), crops, context.sets.queries, options);
}
