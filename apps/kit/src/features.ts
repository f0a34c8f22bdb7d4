import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation } from '@contrastive/augment';
import { createLoader, type Dataset } from '@contrastive/data';

/** Features and labels of a whole dataset, in dataset order. */
export interface FeatureSet {
  /** `[N, d]` float32; the caller disposes it. */
  features: tf.Tensor2D;
  labels: Int32Array;
}

/** Maps a batch of transformed images `[B, H, W, C]` to embeddings `[B, d]` (inference mode). */
export type Embed = (images: tf.Tensor4D) => tf.Tensor2D;

/**
 * Embeds every image of `dataset` after the deterministic `transform`, in
 * batches, in dataset order.
 */
export async function extractFeatures(
  embed: Embed,
  dataset: Dataset,
  transform: Augmentation,
  batchSize = 256,
): Promise<FeatureSet> {
  const loader = createLoader(dataset, { batchSize, shuffle: false, dropLast: false, prefetch: 2 });
  const parts: tf.Tensor2D[] = [];
  const labels = new Int32Array(dataset.length);
  let offset = 0;
  try {
    for await (const batch of loader.epoch(0)) {
      const features = tf.tidy(() => {
        const x = transform(batch.images, { seed: 0 });
        return embed(x);
      });
      parts.push(features);
      labels.set(await batch.labels.data(), offset);
      offset += batch.indices.length;
      tf.dispose([batch.images, batch.labels]);
    }
    const features = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    if (parts.length > 1) tf.dispose(parts);
    return { features, labels: labels.subarray(0, offset) };
  } catch (error) {
    tf.dispose(parts);
    throw error;
  }
}

/** Backbone features h of a composed encoder, BatchNorm in inference mode. */
export function backboneFeatures(encoder: { forward(x: tf.Tensor4D, o?: { training?: boolean }): { features: tf.Tensor2D; projections: tf.Tensor2D } }): Embed {
  return (images) => {
    const out = encoder.forward(images, { training: false });
    out.projections.dispose();
    return out.features;
  };
}

/** Projections z of a composed encoder, BatchNorm in inference mode. */
export function projectionFeatures(encoder: { forward(x: tf.Tensor4D, o?: { training?: boolean }): { features: tf.Tensor2D; projections: tf.Tensor2D } }): Embed {
  return (images) => {
    const out = encoder.forward(images, { training: false });
    out.features.dispose();
    return out.projections;
  };
}
