/**
 * torchvision's functional colour adjustments on float images in [0, 1],
 * batched with one factor per image (`number` for all, or an array).
 * Each clamps its result to [0, 1] (torchvision's `_blend`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import {
  applyAffineStage,
  grayscaleMatrix,
  saturationMatrix,
  scaleMatrix,
  GRAYSCALE_WEIGHTS,
} from './color-affine';
import { assertImages, perSample } from './validate';

type Factors = number | readonly number[];

function stage(
  fn: string,
  images: Tensor4D,
  factors: Factors,
  build: (f: number, c: number) => { matrix: number[]; meanCoefficient: number },
): Tensor4D {
  assertImages(fn, images);
  const [n, , , c] = images.shape;
  const list = perSample(fn, 'factors', factors, n, (v) => v >= 0, 'finite factors >= 0');
  const matrices = new Float32Array(n * c * c);
  const meanCoefficients = new Float32Array(n);
  list.forEach((f, b) => {
    const { matrix, meanCoefficient } = build(f, c);
    matrices.set(matrix, b * c * c);
    meanCoefficients[b] = meanCoefficient;
  });
  return tf.tidy(() => applyAffineStage(images, { matrices, meanCoefficients, clamp: true }));
}

/** `F.adjust_brightness`: clamp(f * x). images [N, H, W, C]; f >= 0 (1 = identity). */
export function adjustBrightness(images: Tensor4D, factors: Factors): Tensor4D {
  return stage('adjustBrightness', images, factors, (f, c) => ({ matrix: scaleMatrix(f, c), meanCoefficient: 0 }));
}

/**
 * `F.adjust_contrast`: clamp(f * x + (1 - f) * m), m = mean of the image's
 * grayscale version (of the image itself for one channel).
 */
export function adjustContrast(images: Tensor4D, factors: Factors): Tensor4D {
  return stage('adjustContrast', images, factors, (f, c) => ({ matrix: scaleMatrix(f, c), meanCoefficient: 1 - f }));
}

/**
 * `F.adjust_saturation`: clamp(f * x + (1 - f) * gray(x)) for RGB; one-channel
 * images are returned unchanged (as torchvision does).
 */
export function adjustSaturation(images: Tensor4D, factors: Factors): Tensor4D {
  return stage('adjustSaturation', images, factors, (f, c) => ({ matrix: saturationMatrix(f, c), meanCoefficient: 0 }));
}

export interface RgbToGrayscaleOptions {
  /** Output channels, 1 or 3 (gray repeated). Default 1. */
  channels?: 1 | 3;
}

/**
 * `F.rgb_to_grayscale` with ITU-R 601-2 weights {@link GRAYSCALE_WEIGHTS}.
 * images [N, H, W, 3] (or 1, returned as is). Returns [N, H, W, channels].
 */
export function rgbToGrayscale(images: Tensor4D, options: RgbToGrayscaleOptions = {}): Tensor4D {
  const fn = 'rgbToGrayscale';
  assertImages(fn, images);
  const channels = options.channels ?? 1;
  const [n, h, w, c] = images.shape;
  return tf.tidy(() => {
    const gray =
      c === 1
        ? images
        : (tf.reshape(
            tf.matMul(tf.reshape(images, [n * h * w, 3]), tf.tensor2d([...GRAYSCALE_WEIGHTS], [3, 1])),
            [n, h, w, 1],
          ) as Tensor4D);
    return (channels === 1 ? tf.clone(gray) : tf.tile(gray, [1, 1, 1, 3])) as Tensor4D;
  });
}

/** Grays the flagged images (all channels get the gray value); one pass. */
export function grayscaleSelected(images: Tensor4D, flags: readonly boolean[]): Tensor4D {
  const [n, , , c] = images.shape;
  const matrices = new Float32Array(n * c * c);
  flags.forEach((g, b) => matrices.set(g ? grayscaleMatrix(c) : scaleMatrix(1, c), b * c * c));
  return tf.tidy(() => applyAffineStage(images, { matrices, meanCoefficients: new Float32Array(n), clamp: false }));
}
