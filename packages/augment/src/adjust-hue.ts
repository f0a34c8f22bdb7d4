/**
 * `F.adjust_hue`: convert to HSV, shift the hue by `factor` (a fraction of
 * the colour circle, in [-0.5, 0.5]) modulo 1, convert back.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { channelMax, fromPlanar, perImage, toPlanar, withData, type Planar } from './planar';
import { assertImages, perSample } from './validate';

/** A channel within this of the maximum counts as the maximum (the hue is continuous there). */
const TIE = 1e-6;
/** Keeps 0 / chroma finite for gray pixels (where the numerator is 0 too). */
const TINY = 1e-30;

/**
 * Hue shift of a planar RGB batch in [0, 1], one factor per sample. Internal:
 * no checks, call in tidy.
 *
 * RGB -> HSV as torchvision's `_rgb2hsv`: v = max, chroma = max - min, and
 * the hue sector h6 = (g - b)/chroma if max is r, 2 + (b - r)/chroma if max is
 * g, 4 + (r - g)/chroma otherwise (0 for grays). HSV -> RGB as `_hsv2rgb`,
 * written in its closed form: channel n (r: 5, g: 3, b: 1) is
 * v - chroma * clamp(2 - |k - 2|, 0, 1) with k = (n + h6 + 6 * factor) mod 6,
 * which gives the same (v, q, p, t) table entries sector by sector.
 *
 * Built from kernels that are fast on wasm: channel maxima as pooling (see
 * `channelMax`), same-shape elementwise ops on `[HW, 1, N]` planes, max(a, b) = a + relu(b - a), and the
 * modulo as k - 6 floor(k / 6) (wasm's `Mod` is ~25x slower than `Floor`).
 */
export function hueShiftPlanar(p: Planar, factors: readonly number[]): Planar {
  const [r, g, b] = [0, 1, 2].map((c) => channelMax(p, [0, 1, 2].map((i) => (i === c ? 1 : 0)))) as [Tensor, Tensor, Tensor];
  const v = channelMax(p);
  const minRg = tf.sub(g, tf.relu(tf.sub(g, r)));
  const chroma = tf.sub(v, tf.sub(minRg, tf.relu(tf.sub(minRg, b))));
  // r - v (g - v) is 0 when that channel holds the maximum.
  const isR = tf.step(tf.add(tf.sub(r, v), TIE));
  const isG = tf.step(tf.add(tf.sub(g, v), TIE));
  // Branch weights with torchvision's priority r, then g, then b.
  const wG = tf.sub(isG, tf.mul(isG, isR));
  const wB = tf.sub(tf.sub(1, isR), wG);
  const numerator = tf.addN([tf.mul(isR, tf.sub(g, b)), tf.mul(wG, tf.sub(b, r)), tf.mul(wB, tf.sub(r, g))]);
  const sector = tf.add(tf.mul(wG, 2), tf.mul(wB, 4));
  const h6 = tf.add(tf.div(numerator, tf.add(chroma, TINY)), sector);
  const shifted = tf.add(h6, perImage(factors.map((f) => 6 * f)));
  // k for the three channels at once, [HW, 3, N] (a concat of planes is a
  // plain copy; a [HW, 1, N] + [1, 3, 1] broadcast is a slow path on wasm).
  const k = tf.concat([5, 3, 1].map((offset) => tf.add(shifted, offset)), 1);
  const wrapped = tf.sub(k, tf.mul(tf.floor(tf.div(k, 6)), 6));
  const ramp = tf.clipByValue(tf.sub(2, tf.abs(tf.sub(wrapped, 2))), 0, 1);
  return withData(p, tf.sub(v, tf.mul(chroma, ramp)));
}

/**
 * Hue shift of the images whose `mask` entry is set (the others are returned
 * bit for bit: out = shifted * m + x * (1 - m) with m in {0, 1}).
 */
export function hueShiftMasked(p: Planar, factors: readonly number[], mask: readonly boolean[]): Planar {
  if (mask.every((m) => !m)) return p;
  const shifted = hueShiftPlanar(p, factors);
  if (mask.every((m) => m)) return shifted;
  const m = mask.map((on) => (on ? 1 : 0));
  const keep: Tensor = tf.mul(p.data, perImage(m.map((v) => 1 - v)));
  return withData(p, tf.add(tf.mul(shifted.data, perImage(m)), keep));
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
  return tf.tidy(() => (images.shape[3] === 1 ? tf.clone(images) : fromPlanar(hueShiftPlanar(toPlanar(images), list))));
}
