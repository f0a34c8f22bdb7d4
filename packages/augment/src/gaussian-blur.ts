/**
 * Gaussian blur with a per-image sigma: torchvision `F.gaussian_blur` (kernel
 * exp(-x^2 / 2 sigma^2) on x = -(k-1)/2..(k-1)/2, normalised; reflect padding
 * of k // 2), separable. The batch is moved into the channel axis so one
 * depthwise convolution per direction applies every image's own kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { toRng, type RandomSource } from './random-source';
import { applyToSubset, drawFlags } from './subset';
import { assertImages, assertProbability, assertRange, perSample } from './validate';

/** Normalised 1-D Gaussian kernel of odd length `size` (float64). */
export function gaussianKernel1d(size: number, sigma: number): number[] {
  const half = (size - 1) / 2;
  const pdf = Array.from({ length: size }, (_, i) => Math.exp(-0.5 * ((i - half) / sigma) ** 2));
  const total = pdf.reduce((a, b) => a + b, 0);
  return pdf.map((v) => v / total);
}

/**
 * SimCLR's kernel size for an image side: 10% of the side, made odd
 * (`k = 2 * floor(floor(side / 10) / 2) + 1`): 224 -> 23, 96 -> 9, 32 -> 3.
 */
export function blurKernelSize(side: number): number {
  return 2 * Math.floor(Math.floor(side / 10) / 2) + 1;
}

function blurAll(x: Tensor4D, sigmas: readonly number[], size: number): Tensor4D {
  const [n, h, w, c] = x.shape;
  const r = (size - 1) / 2;
  const padded = r > 0 ? tf.mirrorPad(x, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect') : x;
  const channels = n * c;
  const stacked = tf.reshape(tf.transpose(padded, [1, 2, 0, 3]), [1, h + 2 * r, w + 2 * r, channels]) as Tensor4D;
  const taps = new Float32Array(size * channels);
  sigmas.forEach((sigma, b) => {
    const kernel = gaussianKernel1d(size, sigma);
    for (let i = 0; i < size; i++) for (let ch = 0; ch < c; ch++) taps[i * channels + b * c + ch] = kernel[i]!;
  });
  const vertical = tf.depthwiseConv2d(stacked, tf.tensor4d(taps, [size, 1, channels, 1]), 1, 'valid');
  const both = tf.depthwiseConv2d(vertical, tf.tensor4d(taps, [1, size, channels, 1]), 1, 'valid');
  return tf.transpose(tf.reshape(both, [h, w, n, c]), [2, 0, 1, 3]);
}

function checkKernel(fn: string, size: unknown, h: number, w: number): asserts size is number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size % 2 === 0) {
    throw argumentError('OUT_OF_RANGE', fn, 'kernelSize', 'an odd integer >= 1', String(size));
  }
  if ((size - 1) / 2 >= Math.min(h, w)) {
    throw argumentError('OUT_OF_RANGE', fn, 'kernelSize', `less than 2 * min(H, W) - 1 for ${h}x${w} images (reflect padding)`, String(size));
  }
}

/** images: [N, H, W, C]; sigmas > 0 per image (or one); odd kernelSize. Returns [N, H, W, C]. */
export function gaussianBlur(
  images: Tensor4D,
  sigmas: number | readonly number[],
  options: { kernelSize: number },
): Tensor4D {
  const fn = 'gaussianBlur';
  assertImages(fn, images);
  const [n, h, w] = images.shape;
  checkKernel(fn, options.kernelSize, h, w);
  const list = perSample(fn, 'sigmas', sigmas, n, (v) => v > 0, 'finite sigmas > 0');
  return tf.tidy(() => blurAll(images, list, options.kernelSize));
}

export interface RandomGaussianBlurOptions {
  /** Sigma range, uniform per image. Default [0.1, 2] (SimCLR, MoCo v2). */
  sigma?: readonly [number, number];
  /** Odd kernel size. Default {@link blurKernelSize} of the shorter side (SimCLR). */
  kernelSize?: number;
  /** Probability per image. Default 0.5 (SimCLR, MoCo v2 RandomApply). */
  p?: number;
}

export const RANDOM_GAUSSIAN_BLUR_DEFAULTS = Object.freeze({
  sigma: Object.freeze([0.1, 2]) as readonly [number, number],
  p: 0.5,
});

/** Blurs each image with probability p, sigma ~ U(sigma). Draws per image: flag, then sigma. */
export function randomGaussianBlur(
  images: Tensor4D,
  random: RandomSource,
  options: RandomGaussianBlurOptions = {},
): Tensor4D {
  const fn = 'randomGaussianBlur';
  assertImages(fn, images);
  const [n, h, w] = images.shape;
  const sigma = options.sigma ?? RANDOM_GAUSSIAN_BLUR_DEFAULTS.sigma;
  const p = options.p ?? RANDOM_GAUSSIAN_BLUR_DEFAULTS.p;
  const size = options.kernelSize ?? blurKernelSize(Math.min(h, w));
  assertRange(fn, 'sigma', sigma, { min: 0, minExclusive: true });
  assertProbability(fn, 'p', p);
  checkKernel(fn, size, h, w);
  const rng = toRng(fn, random);
  const flags = drawFlags(n, p, rng.next);
  const sigmas = flags.filter(Boolean).map(() => rng.uniform(sigma[0], sigma[1]));
  return tf.tidy(() => applyToSubset(images, flags, (s) => blurAll(s, sigmas, size)));
}
