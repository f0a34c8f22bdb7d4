/**
 * `F.adjust_hue`: convert to HSV, shift the hue by `factor` (a fraction of
 * the colour circle, in [-0.5, 0.5]) modulo 1, convert back.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { assertImages, perSample } from './validate';

/**
 * Hue shift of RGB images, one factor per sample. Internal: no checks, call in tidy.
 *
 * RGB -> HSV as torchvision's `_rgb2hsv`: v = max, chroma = max - min, and
 * the hue sector h6 = (g - b)/chroma if max is r, 2 + (b - r)/chroma if max is
 * g, 4 + (r - g)/chroma otherwise (0 for grays). HSV -> RGB as `_hsv2rgb`,
 * written in its closed form: channel n (r: 5, g: 3, b: 1) is
 * v - chroma * clamp(min(k, 4 - k), 0, 1) with k = (n + h6 + 6 * factor) mod 6,
 * which gives the same (v, q, p, t) table entries sector by sector.
 */
export function hueShift(x: Tensor4D, factors: readonly number[]): Tensor4D {
  const n = x.shape[0];
  const maxc = tf.max(x, 3, true);
  const minc = tf.min(x, 3, true);
  const chroma = tf.sub(maxc, minc);
  const divisor = tf.where(tf.equal(chroma, 0), tf.onesLike(chroma), chroma);
  // Columns: g - b, b - r, r - g.
  const diff = tf.reshape(
    tf.matMul(tf.reshape(x, [-1, 3]), tf.tensor2d([0, -1, 1, 1, 0, -1, -1, 1, 0], [3, 3])),
    x.shape,
  );
  const candidates = tf.add(tf.div(diff, divisor), tf.tensor1d([0, 2, 4]));
  // The first channel holding the maximum picks the branch (r before g before b).
  // (oneHot in int32 then cast: wasm's float32 oneHot writes integer bit patterns.)
  const branch = tf.cast(tf.oneHot(tf.argMax(x, 3), 3), 'float32');
  const h6 = tf.sum(tf.mul(candidates, branch), 3, true);
  const offsets = new Float32Array(n * 3);
  factors.forEach((f, b) => offsets.set([5 + 6 * f, 3 + 6 * f, 1 + 6 * f], b * 3));
  const k = tf.mod(tf.add(h6, tf.tensor4d(offsets, [n, 1, 1, 3])), 6);
  const ramp = tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1);
  return tf.sub(maxc, tf.mul(chroma, ramp));
}

/**
 * images: [N, H, W, 3] float32 in [0, 1] (one-channel images are returned
 * unchanged, as torchvision does); factors in [-0.5, 0.5], one per image or one
 * for all. Returns [N, H, W, 3].
 */
export function adjustHue(images: Tensor4D, factors: number | readonly number[]): Tensor4D {
  const fn = 'adjustHue';
  assertImages(fn, images);
  const list = perSample(fn, 'factors', factors, images.shape[0], (v) => Math.abs(v) <= 0.5, 'in [-0.5, 0.5]');
  return tf.tidy(() => (images.shape[3] === 1 ? tf.clone(images) : hueShift(images, list)));
}
