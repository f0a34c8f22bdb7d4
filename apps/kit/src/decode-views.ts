/**
 * Training views of a run whose crops are cut at decode (an ImageFolder with
 * `data.cropAtDecode`): the loader's `views` option and the per-view tensor
 * pipeline (flip, colour, grayscale, blur, normalise) on its view-major batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Augmentation, MultiViewAugmentation } from '@contrastive/augment';
import type { LoaderViews } from '@contrastive/data';
import type { RunAugment } from './open-augment';

/** The loader's `views`: `count` crops of the preset's `decodeCrop` per image, seeded by the run's seed. */
export function decodeViewRequest(augment: Pick<RunAugment, 'decodeCrop'>, count: number, seed: number): LoaderViews {
  const { size, scale, ratio } = augment.decodeCrop;
  return { count, size, scale, ratio, seed };
}

/**
 * `[count * B, H, W, C]` view-major decoded crops -> `count` views
 * `[B, H, W, C]`, each through `train` (the preset without its crop).
 */
export function decodedViews(train: Augmentation, count: number): MultiViewAugmentation {
  return (images, random) => {
    const parts = tf.split(images, count, 0) as tf.Tensor4D[];
    const views: tf.Tensor4D[] = [];
    try {
      for (const part of parts) {
        const view = train(part, random);
        views.push(view);
        if (view !== part) part.dispose();
      }
    } catch (error) {
      tf.dispose([...parts, ...views]);
      throw error;
    }
    return views;
  };
}
