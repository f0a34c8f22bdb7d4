/**
 * `F.adjust_hue`: convert to HSV, shift the hue by `factor` (a fraction of
 * the colour circle, in [-0.5, 0.5]) modulo 1, convert back.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { channelMax, fromStacked, mixChannels, perChannel, perImage, toStacked, withData, type Stacked } from './stacked';
import { assertImages, perSample } from './validate';

/** A channel within this of the maximum counts as the maximum (the hue is continuous there). */
const TIE = 1e-6;
/** Keeps 0 / chroma finite for gray pixels (where the numerator is 0 too). */
const TINY = 1e-30;

/**
 * Hue shift of a stacked RGB batch in [0, 1], one factor per sample. Internal:
 * no checks, call in tidy.
 *
 * RGB -> HSV as torchvision's `_rgb2hsv`: v = max, chroma = max - min, and
 * the hue sector h6 = (g - b)/chroma if max is r, 2 + (b - r)/chroma if max is
 * g, 4 + (r - g)/chroma otherwise (0 for grays). HSV -> RGB as `_hsv2rgb`,
 * written in its closed form: channel n (r: 5, g: 3, b: 1) is
 * v - chroma * clamp(2 - d, 0, 1), with d the distance of
 * k = n + h6 + 6 * factor to the nearest point 2 + 6 Z, which gives the same
 * (v, q, p, t) table entries sector by sector. Since k lies in [-3, 13],
 * d = 3 - ||e - 3| - 3| with e = |k - 5| (exact folding, valid for
 * k in [-4, 14]) replaces the modulo.
 *
 * Built from kernels that are fast on wasm: channels and maxima as one
 * depthwise convolution or pooling each (see `stacked.ts`), same-shape
 * elementwise ops on `[HW, 1, N]` planes and max(a, b) = a + relu(b - a).
 */
export function hueShiftStacked(p: Stacked, factors: readonly number[], mask?: readonly boolean[]): Stacked {
  const [r, g, b] = [0, 1, 2].map((c) => mixChannels(p, [0, 1, 2].map((i) => (i === c ? 1 : 0)))) as [Tensor, Tensor, Tensor];
  const v = channelMax(p);
  const minRg = tf.sub(g, tf.relu(tf.sub(g, r)));
  const chroma = tf.sub(v, tf.sub(minRg, tf.relu(tf.sub(minRg, b))));
  // r - v (g - v) is 0 when that channel holds the maximum.
  const nearMax = tf.sub(v, TIE);
  const isR = tf.step(tf.sub(r, nearMax));
  const isG = tf.step(tf.sub(g, nearMax));
  // Branch weights with torchvision's priority r, then g, then b.
  const notR = tf.sub(1, isR);
  const wG = tf.mul(isG, notR);
  const wB = tf.sub(notR, wG);
  const numerator = tf.addN([tf.mul(isR, tf.sub(g, b)), tf.mul(wG, tf.sub(b, r)), tf.mul(wB, tf.sub(r, g))]);
  const sector = tf.add(tf.mul(wG, 2), tf.mul(wB, 4));
  const h6 = tf.add(tf.div(numerator, tf.add(chroma, TINY)), sector);
  const shifted = tf.add(h6, perImage(factors.map((f) => 6 * f)));
  // k - 5 = shifted + (n - 5) for the three channels at once: [HW, 3, N].
  const e = tf.abs(tf.add(shifted, perChannel([0, -2, -4])));
  const ramp = tf.clipByValue(tf.sub(tf.abs(tf.sub(tf.abs(tf.sub(e, 3)), 3)), 1), 0, 1);
  if (mask === undefined || mask.every((on) => on)) return withData(p, tf.sub(v, tf.mul(chroma, ramp)));
  // Masked: (v m + x (1 - m)) - (chroma m) ramp with m in {0, 1} per image is
  // v - chroma ramp or x, bit for bit (x * 1 + v * 0 - 0 * ramp = x).
  const m = Float32Array.from(mask, (on) => (on ? 1 : 0));
  const base = tf.add(tf.mul(p.data, perImage(m.map((on) => 1 - on))), tf.mul(v, perImage(m)));
  return withData(p, tf.sub(base, tf.mul(tf.mul(chroma, perImage(m)), ramp)));
}

/** Hue shift of the images whose `mask` entry is set; the others come back bit for bit. */
export function hueShiftMasked(p: Stacked, factors: readonly number[], mask: readonly boolean[]): Stacked {
  return mask.every((m) => !m) ? p : hueShiftStacked(p, factors, mask);
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
  return tf.tidy(() => (images.shape[3] === 1 ? tf.clone(images) : fromStacked(hueShiftStacked(toStacked(images), list))));
}
