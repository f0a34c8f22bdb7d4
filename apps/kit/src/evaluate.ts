/**
 * Evaluation during and after training: the weighted kNN monitor (spec §7.2)
 * on backbone features, the final linear probe (§7.3), and alignment and
 * uniformity (§7.1) of the normalised projections.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation, MultiViewAugmentation } from '@contrastive/augment';
import { createLoader, type Dataset } from '@contrastive/data';
import type { ComposedEncoder } from '@contrastive/encoders';
import { alignment, knnClassify, linearProbe, uniformity, type LinearProbePreset } from '@contrastive/eval';
import { backboneFeatures, extractFeatures, type FeatureSet } from './features';

export interface KnnScore {
  top1: number;
  top5: number;
}

export interface EvalSets {
  bank: FeatureSet;
  queries: FeatureSet;
}

/** Backbone features of the bank and the queries; the caller disposes them. */
export async function embedEvalSets(
  encoder: ComposedEncoder,
  sets: { evalTrain: Dataset; evalTest: Dataset },
  transform: Augmentation,
): Promise<EvalSets> {
  const embed = backboneFeatures(encoder);
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
 */
export async function alignmentUniformity(
  encoder: ComposedEncoder,
  dataset: Dataset,
  views: MultiViewAugmentation,
  options: { limit: number; seed: number },
): Promise<{ alignment: number; uniformity: number }> {
  const loader = createLoader(dataset, { batchSize: Math.min(options.limit, 512), shuffle: true, seed: options.seed, dropLast: false });
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
