/** torchvision `RandomResizedCrop`, batched with one box per sample. */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { sampleResizedCropBox, type CropBox } from './crop-box';
import { toRng, type RandomSource } from './random-source';
import { resizedCrop, resizedCropStacked } from './resized-crop';
import { registerEntryForm } from './stacked-form';
import { assertImages, assertProbability, assertRange, toSize } from './validate';

export interface RandomResizedCropOptions {
  /** Output size, `n` or `[height, width]`. Required. */
  size: number | readonly [number, number];
  /** Area fraction range. Default [0.08, 1] (torchvision; SimCLR). MoCo uses [0.2, 1]. */
  scale?: readonly [number, number];
  /** Aspect ratio (width / height) range. Default [3/4, 4/3] (torchvision, SimCLR). */
  ratio?: readonly [number, number];
  /**
   * Probability of mirroring each crop left-right, folded into the crop at no
   * cost. Default 0. Equivalent to a later `RandomHorizontalFlip(p)` when the
   * ops in between are flip-equivariant (colour ops, grayscale, blur, normalise).
   */
  flipP?: number;
}

export const RANDOM_RESIZED_CROP_DEFAULTS = Object.freeze({
  scale: Object.freeze([0.08, 1]) as readonly [number, number],
  ratio: Object.freeze([3 / 4, 4 / 3]) as readonly [number, number],
  flipP: 0,
});

/**
 * images: [N, H, W, C] float32 in [0, 1]. Returns [N, size, size, C]: a random
 * crop per sample (torchvision's 10-attempt sampler with its centre-crop
 * fallback), resized bilinearly. Draws per sample: the crop, then the flip (if flipP > 0).
 */
export function randomResizedCrop(
  images: Tensor4D,
  random: RandomSource,
  options: RandomResizedCropOptions,
): Tensor4D {
  const { boxes, size, flip } = drawCrops(images, random, options);
  return resizedCrop(images, boxes, { size, flip });
}

/** The boxes and flips of {@link randomResizedCrop} (checks its arguments; same draws). */
function drawCrops(
  images: Tensor4D,
  random: RandomSource,
  options: RandomResizedCropOptions,
): { boxes: CropBox[]; size: [number, number]; flip: boolean[] } {
  const fn = 'randomResizedCrop';
  assertImages(fn, images);
  const size = toSize(fn, 'size', options.size);
  const scale = options.scale ?? RANDOM_RESIZED_CROP_DEFAULTS.scale;
  const ratio = options.ratio ?? RANDOM_RESIZED_CROP_DEFAULTS.ratio;
  const flipP = options.flipP ?? RANDOM_RESIZED_CROP_DEFAULTS.flipP;
  assertRange(fn, 'scale', scale, { min: 0, minExclusive: true });
  assertRange(fn, 'ratio', ratio, { min: 0, minExclusive: true });
  assertProbability(fn, 'flipP', flipP);
  const rng = toRng(fn, random);
  const [n, height, width] = images.shape;
  const boxes: CropBox[] = [];
  const flip: boolean[] = [];
  for (let i = 0; i < n; i++) {
    boxes.push(sampleResizedCropBox(height, width, rng, { scale, ratio }));
    flip.push(flipP > 0 ? rng.next() < flipP : false);
  }
  return { boxes, size: [size[0], size[1]], flip };
}

// In a pipeline whose next step runs stacked, crop straight into the stacked layout.
registerEntryForm(randomResizedCrop, (options: RandomResizedCropOptions) => (images, rng) => {
  const { boxes, size, flip } = drawCrops(images, rng, options);
  return resizedCropStacked(images, boxes, { size, flip });
});
