/** Horizontal flips: per-sample (`flipHorizontal`) and random (`horizontalFlip`). */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { toRng, type RandomSource } from './random-source';
import { applyToSubset, drawFlags } from './subset';
import { assertImages, assertProbability } from './validate';

/** images: [N, H, W, C]; flags: one per image. Mirrors the flagged images left-right. */
export function flipHorizontal(images: Tensor4D, flags: readonly boolean[]): Tensor4D {
  const fn = 'flipHorizontal';
  assertImages(fn, images);
  if (!Array.isArray(flags) || flags.length !== images.shape[0]) {
    throw argumentError('SHAPE_MISMATCH', fn, 'flags', `one flag per image (${images.shape[0]})`, String(flags?.length));
  }
  return tf.tidy(() => applyToSubset(images, flags, (x) => tf.reverse(x, 2)));
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
