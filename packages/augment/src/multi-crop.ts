/** Multi-crop (SwAV-style 2 x 224 + k x 96, or CACR's 5 x aug+): groups of views. */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError, assertInteger } from '@contrastive/core';
import type { Augmentation, MultiViewAugmentation } from './compose';
import { randomResizedCrop } from './random-resized-crop';
import { sharePadding } from './edge-pad';
import { toRng } from './random-source';
import { assertRange, toSize } from './validate';

export interface CropGroup {
  /** Number of views in this group. */
  count: number;
  /** Output side of the crops. */
  size: number | readonly [number, number];
  /** Area fraction range. Default [0.08, 1]. */
  scale?: readonly [number, number];
  /** Aspect range. Default [3/4, 4/3]. */
  ratio?: readonly [number, number];
  /** Horizontal flip probability, folded into the crop. Default 0.5. */
  flipP?: number;
  /** What follows the crop (colour, blur, normalise...). Default nothing. */
  then?: Augmentation;
}

/** Views in group order: all views of group 0, then group 1, ... */
export function multiCrop(groups: readonly CropGroup[]): MultiViewAugmentation {
  const fn = 'multiCrop';
  if (!Array.isArray(groups) || groups.length === 0) {
    throw argumentError('INVALID_ARGUMENT', fn, 'groups', 'a non-empty array of crop groups', String(groups));
  }
  groups.forEach((g, i) => {
    assertInteger(fn, `groups[${i}].count`, g.count, 1);
    toSize(fn, `groups[${i}].size`, g.size);
    if (g.scale !== undefined) assertRange(fn, `groups[${i}].scale`, g.scale, { min: 0, minExclusive: true });
  });
  return (images, random) => {
    const rng = toRng(fn, random);
    const views: Tensor4D[] = [];
    try {
      sharePadding(() => {
        for (const g of groups) {
          for (let v = 0; v < g.count; v++) {
            const crop = randomResizedCrop(images, rng, {
              size: g.size,
              ...(g.scale === undefined ? {} : { scale: g.scale }),
              ...(g.ratio === undefined ? {} : { ratio: g.ratio }),
              flipP: g.flipP ?? 0.5,
            });
            if (g.then === undefined) {
              views.push(crop);
            } else {
              try {
                views.push(g.then(crop, rng));
              } finally {
                crop.dispose();
              }
            }
          }
        }
      });
    } catch (error) {
      views.forEach((t) => t.dispose());
      throw error;
    }
    return views;
  };
}
