/**
 * Gaussian blur with a per-image sigma: torchvision `F.gaussian_blur` (kernel
 * exp(-x^2 / 2 sigma^2) on x = -(k-1)/2..(k-1)/2, normalised; reflect padding
 * of k // 2), separable. The batch is moved into the channel axis so one
 * depthwise convolution per direction applies every image's own kernel; the
 * kernel is zero-padded to a tap count XNNPACK runs fast (23 -> 25).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { putImages, takeImages, withData, type Stacked } from './stacked';
import { toRng, type RandomSource } from './random-source';
import { viaStacked } from './adjust-color';
import { drawFlags } from './subset';
import { assertImages, assertProbability, assertRange, perSample } from './validate';
import { registerStackedForm } from './stacked-form';

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

/**
 * Tap counts XNNPACK's depthwise convolution runs on its fast single-pass
 * kernels (measured on wasm: 25 taps ~5x faster than 23, 9 taps ~6x faster
 * than 5). Shorter kernels are padded with zero taps, which add exact zeros.
 */
const FAST_TAPS = [9, 25] as const;

/** Separable blur of a channel-stacked image `[1, H, W, C']`, one kernel (odd length) per channel. */
function blurChannels(stacked: Tensor4D, kernels: readonly (readonly number[])[]): Tensor4D {
  const [, h, w, channels] = stacked.shape;
  const size = kernels[0]!.length;
  const fast = FAST_TAPS.find((t) => t >= size && (t - 1) / 2 < Math.min(h, w)) ?? size;
  const r = (fast - 1) / 2;
  const skip = (fast - size) / 2;
  const padded = r > 0 ? tf.mirrorPad(stacked, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect') : stacked;
  const taps = new Float32Array(fast * channels);
  kernels.forEach((kernel, ch) => kernel.forEach((v, i) => (taps[(i + skip) * channels + ch] = v)));
  const vertical = tf.depthwiseConv2d(padded, tf.tensor4d(taps, [fast, 1, channels, 1]), 1, 'valid');
  return tf.depthwiseConv2d(vertical, tf.tensor4d(taps, [1, fast, channels, 1]), 1, 'valid');
}

/** The kernel of every image: `null` sigma means no blur (a unit impulse, exact). */
function kernelsOf(sigmas: readonly (number | null)[], size: number): number[][] {
  const impulse = Array.from({ length: size }, (_, i) => (i === (size - 1) / 2 ? 1 : 0));
  return sigmas.map((s) => (s === null ? impulse : gaussianKernel1d(size, s)));
}

/** Blurs every image of a stacked batch (a unit impulse where sigma is null). */
function blurEvery(p: Stacked, sigmas: readonly (number | null)[], size: number): Stacked {
  const { n, h, w, c } = p;
  const perImage = kernelsOf(sigmas, size);
  const kernels = Array.from({ length: c * n }, (_, i) => perImage[i % n]!);
  const out = blurChannels(tf.reshape(p.data, [1, h, w, c * n]) as Tensor4D, kernels);
  return withData(p, tf.reshape(out, [h * w, c, n]));
}

/**
 * Whether blurring only the k chosen of n images (a gather to take them out,
 * a one-hot matmul to put them back: ~n k multiply-adds per value at ~5x the
 * depthwise rate, plus copies) beats convolving all n with ~2 * 25 taps.
 * Kept conservative (the rule was set when taking out was a matmul too; at
 * 64 x 224^2 with half the images blurred it gave 137 ms instead of 163 ms).
 */
function worthTaking(n: number, k: number): boolean {
  return n * k < 5 * 25 * (n - k);
}

/**
 * Blurs the images of a stacked batch whose sigma is not null; the others
 * come back bit for bit. The stacked layout `[HW, C, N]` is the
 * channel-stacked image itself, so one depthwise convolution per direction
 * blurs every image with its own kernel. When few images are blurred, they
 * are taken out first (see {@link takeImages}). Internal; call in tidy.
 */
export function blurStacked(p: Stacked, sigmas: readonly (number | null)[], size: number): Stacked {
  if (size === 1 || sigmas.every((s) => s === null)) return p;
  const chosen = sigmas.flatMap((s, b) => (s === null ? [] : [b]));
  if (chosen.length === p.n || !worthTaking(p.n, chosen.length)) return blurEvery(p, sigmas, size);
  const blurred = blurEvery(takeImages(p, chosen), chosen.map((b) => sigmas[b]!), size);
  return putImages(p, blurred, chosen);
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
  return viaStacked(images, (p) => blurStacked(p, list, options.kernelSize));
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
  const [, h, w] = images.shape;
  const sigma = options.sigma ?? RANDOM_GAUSSIAN_BLUR_DEFAULTS.sigma;
  const p = options.p ?? RANDOM_GAUSSIAN_BLUR_DEFAULTS.p;
  const size = options.kernelSize ?? blurKernelSize(Math.min(h, w));
  assertRange(fn, 'sigma', sigma, { min: 0, minExclusive: true });
  assertProbability(fn, 'p', p);
  checkKernel(fn, size, h, w);
  return viaStacked(images, (x) => randomGaussianBlurStacked(x, random, options));
}

/** {@link randomGaussianBlur} on a stacked batch (same draws). Internal; call in tidy. */
export function randomGaussianBlurStacked(x: Stacked, random: RandomSource, options: RandomGaussianBlurOptions = {}): Stacked {
  const fn = 'randomGaussianBlur';
  const sigma = options.sigma ?? RANDOM_GAUSSIAN_BLUR_DEFAULTS.sigma;
  const p = options.p ?? RANDOM_GAUSSIAN_BLUR_DEFAULTS.p;
  const size = options.kernelSize ?? blurKernelSize(Math.min(x.h, x.w));
  assertRange(fn, 'sigma', sigma, { min: 0, minExclusive: true });
  assertProbability(fn, 'p', p);
  checkKernel(fn, size, x.h, x.w);
  const rng = toRng(fn, random);
  const flags = drawFlags(x.n, p, rng.next);
  return blurStacked(x, flags.map((f) => (f ? rng.uniform(sigma[0], sigma[1]) : null)), size);
}

registerStackedForm(randomGaussianBlur, (options: RandomGaussianBlurOptions = {}) => (p, rng) =>
  randomGaussianBlurStacked(p, rng, options),
);
