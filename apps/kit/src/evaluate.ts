/**
 * Evaluation during and after training: the weighted kNN monitor (spec §7.2)
 * on backbone features, the final linear probe (§7.3), and alignment and
 * uniformity (§7.1) of the normalised projections.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation, MultiViewAugmentation } from '@contrastive/augment';
import { createLoader, type Dataset, type LoaderViews } from '@contrastive/data';
import type { ComposedEncoder } from '@contrastive/encoders';
import { alignment, knnClassify, linearProbe, uniformity, type LinearProbePreset } from '@contrastive/eval';
import { backboneFeatures, extractFeatures, projectionFeatures, type FeatureSet } from './features';
import { stratifiedSubset } from './open-data';

/**
 * Which features the kNN monitor compares: the backbone output h (default;
 * what linear probes use) or the projection z (the MoCo CIFAR-10 demo's
 * monitor: `test(model.encoder_q, ...)` on the normalised 128-d output).
 */
export const KNN_FEATURE_CHOICES = ['backbone', 'projection'] as const;
export type KnnFeatureChoice = (typeof KNN_FEATURE_CHOICES)[number];

export interface KnnScore {
  top1: number;
  top5: number;
}

export interface EvalSets {
  bank: FeatureSet;
  queries: FeatureSet;
}

/** Backbone (default) or projection features of the bank and the queries; the caller disposes them. */
export async function embedEvalSets(
  encoder: ComposedEncoder,
  sets: { evalTrain: Dataset; evalTest: Dataset },
  transform: Augmentation,
  features: KnnFeatureChoice = 'backbone',
): Promise<EvalSets> {
  const embed = features === 'projection' ? projectionFeatures(encoder) : backboneFeatures(encoder);
  const bank = await extractFeatures(embed, sets.evalTrain, transform);
  try {
    const queries = await extractFeatures(embed, sets.evalTest, transform);
    return { bank, queries };
  } catch (error) {
    bank.features.dispose();
    throw error;
  }
}

export function disposeEvalSets(sets: EvalSets): void {
  tf.dispose([sets.bank.features, sets.queries.features]);
}

/** Weighted kNN top-1 / top-5 (percent) of the queries against the bank. */
export async function knnScore(sets: EvalSets, options: { k: number; t: number; numClasses: number }): Promise<KnnScore> {
  const result = await knnClassify(sets.bank.features, sets.bank.labels, sets.queries.features, {
    k: options.k,
    temperature: options.t,
    numClasses: options.numClasses,
    testLabels: sets.queries.labels,
  });
  return { top1: 100 * (result.top1Accuracy ?? NaN), top5: 100 * (result.top5Accuracy ?? NaN) };
}

/** Largest bank or query set (images x pixels) the raw-pixel kNN embeds: 2^28 floats, 1 GiB. */
export const RAW_PIXEL_MAX_ELEMENTS = 2 ** 28;

/** kNN accuracy of the raw pixels, and how many images it used. */
export interface RawPixelKnn extends KnnScore {
  /** Bank images (all of evalTrain unless it exceeded {@link RAW_PIXEL_MAX_ELEMENTS}). */
  bank: number;
  /** Query images (likewise). */
  queries: number;
}

/** Flattens `[B, H, W, C]` images to `[B, H*W*C]` (the identity encoder). */
export function rawPixelFeatures(): (images: tf.Tensor4D) => tf.Tensor2D {
  return (images) => tf.reshape(images, [images.shape[0], -1]) as tf.Tensor2D;
}

/**
 * The same weighted kNN on raw pixels: each image after the deterministic
 * eval `transform` (normalised, resized/cropped as the encoder sees it),
 * flattened, compared by cosine. The baseline an encoder must beat. A set of
 * more than {@link RAW_PIXEL_MAX_ELEMENTS} values is replaced by a seeded
 * stratified subset that fits (ImageNet-size images).
 */
export async function rawPixelKnn(
  sets: { evalTrain: Dataset; evalTest: Dataset },
  transform: Augmentation,
  options: { k: number; t: number; numClasses: number; pixels: number; seed: number },
): Promise<RawPixelKnn> {
  const cap = Math.max(1, Math.floor(RAW_PIXEL_MAX_ELEMENTS / options.pixels));
  const bankSet = sets.evalTrain.length > cap ? await stratifiedSubset(sets.evalTrain, cap, options.seed + 5) : sets.evalTrain;
  const querySet = sets.evalTest.length > cap ? await stratifiedSubset(sets.evalTest, cap, options.seed + 6) : sets.evalTest;
  const embed = rawPixelFeatures();
  const bank = await extractFeatures(embed, bankSet, transform);
  let queries: FeatureSet;
  try {
    queries = await extractFeatures(embed, querySet, transform);
  } catch (error) {
    bank.features.dispose();
    throw error;
  }
  const pixelSets = { bank, queries };
  try {
    const score = await knnScore(pixelSets, options);
    return { ...score, bank: bankSet.length, queries: querySet.length };
  } finally {
    disposeEvalSets(pixelSets);
  }
}

/** Final linear probe on frozen backbone features; accuracies in percent. */
export async function probeScore(
  sets: EvalSets,
  options: { preset: LinearProbePreset; epochs?: number; numClasses: number; seed: number },
): Promise<{ top1: number; bestTestOptimistic: number; epochs: number }> {
  const result = await linearProbe(
    { features: sets.bank.features, labels: sets.bank.labels },
    { features: sets.queries.features, labels: sets.queries.labels },
    {
      preset: options.preset,
      numClasses: options.numClasses,
      seed: options.seed,
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
    },
  );
  return {
    top1: 100 * result.testAccuracy,
    bestTestOptimistic: 100 * result.bestTestAccuracyOptimistic.testAccuracy,
    epochs: result.config.epochs,
  };
}

/**
 * Alignment (two augmented views of the same test images) and uniformity
 * (their first views) of the L2-normalised projections, up to `limit` images.
 * `decodeViews`: the loader cuts the views' crops at decode (an ImageFolder's
 * `getViews`), and `views` splits its view-major batch.
 */
export async function alignmentUniformity(
  encoder: ComposedEncoder,
  dataset: Dataset,
  views: MultiViewAugmentation,
  options: { limit: number; seed: number; decodeViews?: LoaderViews | undefined },
): Promise<{ alignment: number; uniformity: number }> {
  const loader = createLoader(dataset, {
    batchSize: Math.min(options.limit, 512),
    shuffle: true,
    seed: options.seed,
    dropLast: false,
    ...(options.decodeViews === undefined ? {} : { views: options.decodeViews }),
  });
  for await (const batch of loader.epoch(0)) {
    const [a, u] = tf.tidy(() => {
      const [v1, v2] = views(batch.images, { seed: options.seed });
      const z1 = encoder.forward(v1!, { training: false }).projections;
      const z2 = encoder.forward(v2!, { training: false }).projections;
      return [alignment(z1, z2), uniformity(z1)];
    });
    const values = [(await a.data())[0]!, (await u.data())[0]!];
    tf.dispose([a, u, batch.images, batch.labels]);
    return { alignment: values[0]!, uniformity: values[1]! };
  }
  return { alignment: NaN, uniformity: NaN };
}
