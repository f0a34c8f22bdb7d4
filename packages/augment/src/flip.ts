/** Horizontal flips: per-sample (`flipHorizontal`) and random (`horizontalFlip`). */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { toRng, type RandomSource } from './random-source';
import { perImage, type Stacked, withData } from './stacked';
import { registerStackedForm } from './stacked-form';
import { drawFlags, nhwcWeights, selectImages } from './subset';
import { assertImages, assertProbability } from './validate';

/**
 * images: [N, H, W, C]; flags: one per image. Mirrors the flagged images
 * left-right (wasm's `FlipLeftRight` kernel on the batch, ~12x faster than
 * its `Reverse`, then a per-image selection).
 */
export function flipHorizontal(images: Tensor4D, flags: readonly boolean[]): Tensor4D {
  const fn = 'flipHorizontal';
  assertImages(fn, images);
  if (!Array.isArray(flags) || flags.length !== images.shape[0]) {
    throw argumentError('SHAPE_MISMATCH', fn, 'flags', `one flag per image (${images.shape[0]})`, String(flags?.length));
  }
  return tf.tidy(() => {
    const out = selectImages(images, flags, () => tf.image.flipLeftRight(images), nhwcWeights);
    return out === images ? tf.clone(images) : out;
  });
}

export interface HorizontalFlipOptions {
  /** Probability of flipping each image. Default 0.5 (torchvision RandomHorizontalFlip). */
  p?: number;
}

export const HORIZONTAL_FLIP_DEFAULTS = Object.freeze({ p: 0.5 });

/** torchvision `RandomHorizontalFlip(p)`, one draw per sample. Returns [N, H, W, C]. */
export function horizontalFlip(images: Tensor4D, random: RandomSource, options: HorizontalFlipOptions = {}): Tensor4D {
  const fn = 'horizontalFlip';
  assertImages(fn, images);
  const p = options.p ?? HORIZONTAL_FLIP_DEFAULTS.p;
  assertProbability(fn, 'p', p);
  const rng = toRng(fn, random);
  return flipHorizontal(images, drawFlags(images.shape[0], p, rng.next));
}

/** {@link horizontalFlip} on a stacked batch (same draws): the layout is one image `[1, H, W, C*N]`. */
export function horizontalFlipStacked(p: Stacked, random: RandomSource, options: HorizontalFlipOptions = {}): Stacked {
  const fn = 'horizontalFlip';
  const prob = options.p ?? HORIZONTAL_FLIP_DEFAULTS.p;
  assertProbability(fn, 'p', prob);
  const flags = drawFlags(p.n, prob, toRng(fn, random).next);
  const { n, h, w, c } = p;
  const flipped = () => tf.reshape(tf.image.flipLeftRight(tf.reshape(p.data, [1, h, w, c * n]) as Tensor4D), [h * w, c, n]);
  return withData(p, selectImages(p.data as Tensor, flags, flipped, perImage));
}

registerStackedForm(horizontalFlip, (options: HorizontalFlipOptions = {}) => (p, rng) => horizontalFlipStacked(p, rng, options));
