/** torchvision `RandomGrayscale(p)`: the output keeps the input's channel count. */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { grayscaleSelectedStacked, viaStacked } from './adjust-color';
import type { Stacked } from './stacked';
import { toRng, type RandomSource } from './random-source';
import { drawFlags } from './subset';
import { assertImages, assertProbability } from './validate';
import { registerStackedForm } from './stacked-form';

export interface RandomGrayscaleOptions {
  /** Probability per image. Default 0.1 (torchvision); MoCo/SimCLR use 0.2. */
  p?: number;
}

export const RANDOM_GRAYSCALE_DEFAULTS = Object.freeze({ p: 0.1 });

/** images: [N, H, W, C] float32. Returns [N, H, W, C], gray copied to every channel. */
export function randomGrayscale(
  images: Tensor4D,
  random: RandomSource,
  options: RandomGrayscaleOptions = {},
): Tensor4D {
  const fn = 'randomGrayscale';
  assertImages(fn, images);
  const p = options.p ?? RANDOM_GRAYSCALE_DEFAULTS.p;
  assertProbability(fn, 'p', p);
  const rng = toRng(fn, random);
  const flags = drawFlags(images.shape[0], p, rng.next);
  return viaStacked(images, (x) => grayscaleSelectedStacked(x, flags));
}

/** {@link randomGrayscale} on a stacked batch (same draws). */
export function randomGrayscaleStacked(x: Stacked, random: RandomSource, options: RandomGrayscaleOptions = {}): Stacked {
  const fn = 'randomGrayscale';
  const p = options.p ?? RANDOM_GRAYSCALE_DEFAULTS.p;
  assertProbability(fn, 'p', p);
  const rng = toRng(fn, random);
  return grayscaleSelectedStacked(x, drawFlags(x.n, p, rng.next));
}

registerStackedForm(randomGrayscale, (options: RandomGrayscaleOptions = {}) => (p, rng) => randomGrayscaleStacked(p, rng, options));
