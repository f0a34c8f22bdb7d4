/** torchvision `Normalize`: (x - mean_c) / std_c per channel. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { assertImages } from './validate';

export interface NormalizeOptions {
  /** Per-channel means (length C). */
  mean: readonly number[];
  /** Per-channel standard deviations (length C), each > 0. */
  std: readonly number[];
}

/** images: [N, H, W, C]. Returns [N, H, W, C] = (x - mean) / std. */
export function normalize(images: Tensor4D, options: NormalizeOptions): Tensor4D {
  const fn = 'normalize';
  assertImages(fn, images);
  const c = images.shape[3];
  const { mean, std } = options;
  if (!Array.isArray(mean) || mean.length !== c || !mean.every(Number.isFinite)) {
    throw argumentError('SHAPE_MISMATCH', fn, 'mean', `${c} finite numbers`, JSON.stringify(mean));
  }
  if (!Array.isArray(std) || std.length !== c || !std.every((s) => Number.isFinite(s) && s > 0)) {
    throw argumentError('OUT_OF_RANGE', fn, 'std', `${c} finite numbers > 0`, JSON.stringify(std));
  }
  return tf.tidy(() =>
    tf.add(tf.mul(images, tf.tensor1d(std.map((s) => 1 / s))), tf.tensor1d(mean.map((m, i) => -m / std[i]!))),
  ) as Tensor4D;
}
