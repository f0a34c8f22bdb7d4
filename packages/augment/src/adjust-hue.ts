/**
 * `F.adjust_hue`: convert to HSV, shift the hue by `factor` (a fraction of
 * the colour circle, in [-0.5, 0.5]) modulo 1, convert back.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { assertImages, perSample } from './validate';

const TIE = 1e-6;
const m = (rows: number[][]): Tensor2D => tf.tensor2d(rows);
/** a @ b, then + bias and relu when given: one _FusedMatMul kernel. */
const mm = (a: Tensor, b: Tensor2D, bias?: number[], relu = false): Tensor2D =>
  tf.fused.matMul({
    a: a as Tensor2D,
    b,
    ...(bias === undefined ? {} : { bias: tf.tensor1d(bias) }),
    ...(relu ? { activation: 'relu' as const } : {}),
  }) as Tensor2D;

/**
 * Hue shift of RGB images in [0, 1], one factor per sample. Internal: no
 * checks, call in tidy.
 *
 * RGB -> HSV as torchvision's `_rgb2hsv`: v = max, chroma = max - min, and
 * the hue sector h6 = (g - b)/chroma if max is r, 2 + (b - r)/chroma if max is
 * g, 4 + (r - g)/chroma otherwise (0 for grays). HSV -> RGB as `_hsv2rgb`,
 * written in its closed form: channel n (r: 5, g: 3, b: 1) is
 * v - chroma * clamp(2 - |k - 2|, 0, 1) with k = (n + h6 + 6 * factor) mod 6,
 * which gives the same (v, q, p, t) table entries sector by sector.
 *
 * Built from kernels that run fast everywhere (small matmuls with a fused
 * bias/relu, same-shape elementwise ops): max(a, b) = a + relu(b - a).
 */
export function hueShift(x: Tensor4D, factors: readonly number[]): Tensor4D {
  const [n, h, w] = x.shape;
  const px = tf.reshape(x, [n * h * w, 3]);
  // [r, g, b, relu(g - r), relu(r - g)]; r, g, b >= 0 pass the relu unchanged.
  const s1 = mm(px, m([[1, 0, 0, -1, 1], [0, 1, 0, 1, -1], [0, 0, 1, 0, 0]]), undefined, true);
  // m1 = max(r, g) = r + relu(g - r), n1 = min(r, g) = r - relu(r - g);
  // [r, g, b, m1, n1, relu(b - m1), relu(n1 - b)].
  const s2 = mm(
    s1,
    m([
      [1, 0, 0, 1, 1, -1, 1],
      [0, 1, 0, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 1, -1],
      [0, 0, 0, 1, 0, -1, 0],
      [0, 0, 0, 0, -1, 0, -1],
    ]),
    undefined,
    true,
  );
  // v = m1 + relu(b - m1), min = n1 - relu(n1 - b), chroma = v - min.
  const maxc = mm(s2, m([[0], [0], [0], [1], [0], [1], [0]]));
  const chroma = mm(s2, m([[0], [0], [0], [1], [-1], [1], [1]]));
  // r - v (g - v) is 0, up to rounding, when that channel holds the maximum.
  // A near-tie may pick either branch: the hue is continuous there.
  const isMax = tf.step(mm(s2, m([[1, 0], [0, 1], [0, 0], [-1, -1], [0, 0], [-1, -1], [0, 0]]), [TIE, TIE]));
  // Branch weights with torchvision's priority r, then g, then b.
  const branch = mm(isMax, m([[1, -1, -1], [0, 1, -1]]), [0, 0, 1], true);
  // [g - b, b - r, r - g]
  const diffs = mm(s2, m([[0, -1, 1], [1, 0, -1], [-1, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]));
  const numerator = mm(tf.mul(branch, diffs), m([[1], [1], [1]]));
  const sector = mm(branch, m([[0], [2], [4]]));
  const h6 = tf.add(tf.div(numerator, tf.maximum(chroma, 1e-30)), sector);
  const shifted = tf.add(tf.reshape(h6, [n, h * w, 1]), tf.tensor3d(factors.map((f) => 6 * f), [n, 1, 1]));
  const k = tf.mod(mm(tf.reshape(shifted, [n * h * w, 1]), m([[1, 1, 1]]), [5, 3, 1]), 6);
  const ramp = tf.clipByValue(tf.sub(2, tf.abs(tf.sub(k, 2))), 0, 1);
  const ones = m([[1, 1, 1]]);
  const out = tf.sub(mm(maxc, ones), tf.mul(mm(chroma, ones), ramp));
  return tf.reshape(out, [n, h, w, 3]);
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
