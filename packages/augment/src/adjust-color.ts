/**
 * torchvision's functional colour adjustments on float images in [0, 1],
 * batched with one factor per image (`number` for all, or an array).
 * Each clamps its result to [0, 1] (torchvision's `_blend`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { applyAffineStage, identityStage, stackedGray, type AffineStage } from './color-affine';
import { fromStacked, toStacked, withData, type Stacked } from './stacked';
import { assertImages, perSample } from './validate';

/** Runs a stacked op on [N, H, W, C] images (the input itself comes back as a copy). */
export function viaStacked(images: Tensor4D, op: (p: Stacked) => Stacked): Tensor4D {
  return tf.tidy(() => {
    const p = toStacked(images);
    const out = op(p);
    return out === p ? tf.clone(images) : fromStacked(out);
  });
}

type Factors = number | readonly number[];

function stage(
  fn: string,
  images: Tensor4D,
  factors: Factors,
  build: (f: number, b: number, stage: AffineStage) => void,
): Tensor4D {
  assertImages(fn, images);
  const n = images.shape[0];
  const list = perSample(fn, 'factors', factors, n, (v) => v >= 0, 'finite factors >= 0');
  const s = identityStage(n, true);
  list.forEach((f, b) => build(f, b, s));
  return viaStacked(images, (p) => applyAffineStage(p, s));
}

/** `F.adjust_brightness`: clamp(f * x). images [N, H, W, C]; f >= 0 (1 = identity). */
export function adjustBrightness(images: Tensor4D, factors: Factors): Tensor4D {
  return stage('adjustBrightness', images, factors, (f, b, s) => (s.scale[b] = f));
}

/**
 * `F.adjust_contrast`: clamp(f * x + (1 - f) * m), m = mean of the image's
 * grayscale version (of the image itself for one channel).
 */
export function adjustContrast(images: Tensor4D, factors: Factors): Tensor4D {
  return stage('adjustContrast', images, factors, (f, b, s) => {
    s.scale[b] = f;
    s.meanCoefficients[b] = 1 - f;
  });
}

/**
 * `F.adjust_saturation`: clamp(f * x + (1 - f) * gray(x)) for RGB; one-channel
 * images are returned unchanged (as torchvision does).
 */
export function adjustSaturation(images: Tensor4D, factors: Factors): Tensor4D {
  if (images.shape?.[3] === 1) {
    assertImages('adjustSaturation', images);
    return tf.clone(images);
  }
  return stage('adjustSaturation', images, factors, (f, b, s) => {
    s.scale[b] = f;
    s.grayWeight[b] = 1 - f;
  });
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
  const c = images.shape[3];
  if (channels !== 1 && channels !== 3) {
    throw argumentError('OUT_OF_RANGE', fn, 'channels', '1 or 3', String(channels));
  }
  if (c === 1) return tf.tile(images, [1, 1, 1, channels]);
  return viaStacked(images, (p) => {
    const gray = stackedGray(p);
    return { ...withData(p, channels === 1 ? gray : tf.tile(gray, [1, 3, 1])), c: channels };
  });
}

/** Grays the flagged images of a stacked batch (all channels get the gray value). */
export function grayscaleSelectedStacked(p: Stacked, flags: readonly boolean[]): Stacked {
  const s = identityStage(p.n, false);
  flags.forEach((g, b) => {
    if (g) {
      s.scale[b] = 0;
      s.grayWeight[b] = 1;
    }
  });
  return applyAffineStage(p, s);
}
