/** torchvision `F.solarize` / `RandomSolarize` on float images: x >= t becomes 1 - x. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { assertInRange } from '@contrastive/core';
import { toRng, type RandomSource } from './random-source';
import { perImage, withData, type Stacked } from './stacked';
import { registerStackedForm } from './stacked-form';
import { drawFlags, nhwcWeights, selectImages } from './subset';
import { assertImages, assertProbability } from './validate';

/** images: [N, H, W, C] in [0, 1]; threshold in [0, 1]. Returns [N, H, W, C]. */
export function solarize(images: Tensor4D, threshold: number): Tensor4D {
  const fn = 'solarize';
  assertImages(fn, images);
  assertInRange(fn, 'threshold', threshold, { min: 0, max: 1 });
  return tf.tidy(() => solarizeAll(images, threshold));
}

/**
 * x >= t ? 1 - x : x for every value, as an exact 0/1 blend (no `where`:
 * a comparison and a select cost ~2.5x more on wasm). Call inside `tf.tidy`.
 */
function solarizeAll<T extends Tensor>(x: T, threshold: number): T {
  const high = tf.sub(1, tf.step(tf.sub(threshold, x)));
  return tf.add(tf.mul(tf.sub(1, x), high), tf.mul(x, tf.sub(1, high))) as T;
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
  return tf.tidy(() => {
    const out = selectImages(images, flags, () => solarizeAll(images, threshold), nhwcWeights);
    return out === images ? tf.clone(images) : out;
  });
}

/** {@link randomSolarize} on a stacked batch (same draws). Internal; call in tidy. */
export function randomSolarizeStacked(x: Stacked, random: RandomSource, options: RandomSolarizeOptions = {}): Stacked {
  const fn = 'randomSolarize';
  const threshold = options.threshold ?? RANDOM_SOLARIZE_DEFAULTS.threshold;
  const p = options.p ?? RANDOM_SOLARIZE_DEFAULTS.p;
  assertInRange(fn, 'threshold', threshold, { min: 0, max: 1 });
  assertProbability(fn, 'p', p);
  const flags = drawFlags(x.n, p, toRng(fn, random).next);
  return withData(x, selectImages(x.data as Tensor, flags, () => solarizeAll(x.data as Tensor, threshold), perImage));
}

registerStackedForm(randomSolarize, (options: RandomSolarizeOptions = {}) => (p, rng) => randomSolarizeStacked(p, rng, options));
