/** torchvision `F.solarize` / `RandomSolarize` on float images: x >= t becomes 1 - x. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { assertInRange } from '@contrastive/core';
import { toRng, type RandomSource } from './random-source';
import { applyToSubset, drawFlags } from './subset';
import { assertImages, assertProbability } from './validate';

/** images: [N, H, W, C] in [0, 1]; threshold in [0, 1]. Returns [N, H, W, C]. */
export function solarize(images: Tensor4D, threshold: number): Tensor4D {
  const fn = 'solarize';
  assertImages(fn, images);
  assertInRange(fn, 'threshold', threshold, { min: 0, max: 1 });
  return tf.tidy(() => tf.where(tf.greaterEqual(images, threshold), tf.sub(1, images), images) as Tensor4D);
}

export interface RandomSolarizeOptions {
  /** Threshold. Default 0.5 (BYOL; 128/255 in PIL terms). */
  threshold?: number;
  /** Probability per image. Default 0.5 (torchvision RandomSolarize). */
  p?: number;
}

export const RANDOM_SOLARIZE_DEFAULTS = Object.freeze({ threshold: 0.5, p: 0.5 });

/** Solarizes each image with probability p. */
export function randomSolarize(images: Tensor4D, random: RandomSource, options: RandomSolarizeOptions = {}): Tensor4D {
  const fn = 'randomSolarize';
  assertImages(fn, images);
  const threshold = options.threshold ?? RANDOM_SOLARIZE_DEFAULTS.threshold;
  const p = options.p ?? RANDOM_SOLARIZE_DEFAULTS.p;
  assertInRange(fn, 'threshold', threshold, { min: 0, max: 1 });
  assertProbability(fn, 'p', p);
  const rng = toRng(fn, random);
  const flags = drawFlags(images.shape[0], p, rng.next);
  return tf.tidy(() =>
    applyToSubset(images, flags, (s) => tf.where(tf.greaterEqual(s, threshold), tf.sub(1, s), s) as Tensor4D),
  );
}
