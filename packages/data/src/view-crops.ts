/**
 * The RandomResizedCrop boxes an ImageFolder decodes (issue 12): drawn on the
 * original image's size with torchvision's sampler (`sampleResizedCropBox` of
 * @contrastive/augment: area fraction `scale`, log-uniform aspect `ratio`,
 * 10 attempts, then the centred fallback with the ratio clamped), from a
 * generator seeded by (view seed, epoch, dataset index) alone. So the crops
 * of an image do not depend on which batch holds it, on the decode order or
 * concurrency, or on where an epoch was resumed.
 */
import { createRng, type Rng } from '@contrastive/core';
import { sampleResizedCropBox, type CropBox } from '@contrastive/augment';
import { epochSeed } from './epoch-order';
import type { ViewRequest } from './types';

/** The 32-bit seed of the crop generator of dataset image `index` in epoch `epoch`. */
export function viewCropSeed(seed: number, epoch: number, index: number): number {
  return epochSeed(epochSeed(seed, epoch), index);
}

/** The crop generator of one image (see {@link viewCropSeed}). */
export function viewCropRng(seed: number, epoch: number, index: number): Rng {
  return createRng(viewCropSeed(seed, epoch, index));
}

/**
 * `crop.count` boxes for an image of `height x width`, drawn in view order
 * from `rng` (one box's draws after the other's).
 */
export function drawViewBoxes(
  height: number,
  width: number,
  rng: Rng,
  crop: Pick<ViewRequest, 'count' | 'scale' | 'ratio'>,
): CropBox[] {
  const boxes: CropBox[] = [];
  for (let v = 0; v < crop.count; v++) boxes.push(sampleResizedCropBox(height, width, rng, crop));
  return boxes;
}
