/**
 * The per-sample affine colour map behind brightness, contrast, saturation
 * and grayscale: out = clamp(x M_b + c_b * mean(gray(x_b)), 0, 1), with a
 * C x C matrix M_b and a coefficient c_b per sample. One batched matmul (or a
 * broadcast multiply when every M_b is a multiple of the identity).
 * Internal; call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';

/**
 * ITU-R 601-2 luma weights (R, G, B), as in PIL's `convert('L')` and the
 * formula in torchvision's `rgb_to_grayscale` docs (its tensor path rounds
 * the red weight to 0.2989).
 */
export const GRAYSCALE_WEIGHTS = Object.freeze([0.299, 0.587, 0.114] as const);

export interface AffineStage {
  /** N row-major C x C matrices: out_j = sum_i x_i * M[i * C + j]. */
  matrices: Float32Array;
  /** N coefficients of the per-image gray mean added to every channel. */
  meanCoefficients: Float32Array;
  /** Clamp to [0, 1] afterwards (torchvision's `_blend` does). */
  clamp: boolean;
}

/** Per-image mean of the grayscale image, shape [N, 1, 1, 1]. */
export function grayMean(x: Tensor4D): Tensor {
  const channels = x.shape[3];
  const meanRgb = tf.mean(x, [1, 2]); // [N, C]
  const gray = channels === 1 ? meanRgb : tf.matMul(meanRgb, tf.tensor2d([...GRAYSCALE_WEIGHTS], [3, 1]));
  return tf.reshape(gray, [x.shape[0], 1, 1, 1]);
}

function isScaledIdentity(matrices: Float32Array, channels: number): Float32Array | undefined {
  const n = matrices.length / (channels * channels);
  const scales = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    const base = b * channels * channels;
    const s = matrices[base]!;
    for (let i = 0; i < channels; i++) {
      for (let j = 0; j < channels; j++) {
        if (matrices[base + i * channels + j] !== (i === j ? s : 0)) return undefined;
      }
    }
    scales[b] = s;
  }
  return scales;
}

export function applyAffineStage(x: Tensor4D, stage: AffineStage): Tensor4D {
  const [n, h, w, c] = x.shape;
  let out: Tensor;
  const scales = isScaledIdentity(stage.matrices, c);
  if (scales !== undefined) {
    out = scales.every((s) => s === 1) ? x : tf.mul(x, tf.tensor4d(scales, [n, 1, 1, 1]));
  } else {
    const flat = tf.reshape(x, [n, h * w, c]);
    out = tf.reshape(tf.matMul(flat, tf.tensor3d(stage.matrices, [n, c, c])), [n, h, w, c]);
  }
  if (stage.meanCoefficients.some((v) => v !== 0)) {
    out = tf.add(out, tf.mul(grayMean(x), tf.tensor4d(stage.meanCoefficients, [n, 1, 1, 1])));
  }
  if (out === x) return tf.clone(x) as Tensor4D;
  return (stage.clamp ? tf.clipByValue(out, 0, 1) : out) as Tensor4D;
}

/** Matrix of out = f x + (1 - f) gray(x) (saturation); identity-free rows for C = 1. */
export function saturationMatrix(factor: number, channels: number): number[] {
  if (channels === 1) return [1];
  const m: number[] = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) m.push((i === j ? factor : 0) + (1 - factor) * GRAYSCALE_WEIGHTS[i]!);
  }
  return m;
}

/** Matrix of out = f x. */
export function scaleMatrix(factor: number, channels: number): number[] {
  const m: number[] = [];
  for (let i = 0; i < channels; i++) for (let j = 0; j < channels; j++) m.push(i === j ? factor : 0);
  return m;
}

/** Matrix that writes the gray value into every channel. */
export function grayscaleMatrix(channels: number): number[] {
  if (channels === 1) return [1];
  const m: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) m.push(GRAYSCALE_WEIGHTS[i]!);
  return m;
}
