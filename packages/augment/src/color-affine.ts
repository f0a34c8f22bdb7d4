/**
 * The per-sample colour map behind brightness, contrast, saturation and
 * grayscale: out = clamp(f_b x + g_b gray(x) + c_b mean(gray(x_b)), 0, 1),
 * with gray(x) the luma written to every channel. Built from a shared 3x3
 * matmul and [N,1,1,1]-broadcast multiplies, which are fast on every backend
 * (a batched per-sample matmul is not). Internal; call inside `tf.tidy`.
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
  /** f_b: weight of the image itself, per sample. */
  scale: Float32Array;
  /** g_b: weight of the grayscale image, per sample. */
  grayWeight: Float32Array;
  /** c_b: weight of the image's mean gray level, per sample. */
  meanCoefficients: Float32Array;
  /** Clamp to [0, 1] afterwards (torchvision's `_blend` does). */
  clamp: boolean;
}

/** An identity stage for n samples, to be filled in. */
export function identityStage(n: number, clamp: boolean): AffineStage {
  return {
    scale: new Float32Array(n).fill(1),
    grayWeight: new Float32Array(n),
    meanCoefficients: new Float32Array(n),
    clamp,
  };
}

/** Per-image mean of the grayscale image, shape [N, 1, 1, 1]. */
export function grayMean(x: Tensor4D): Tensor {
  const channels = x.shape[3];
  const meanRgb = tf.mean(x, [1, 2]); // [N, C]
  const gray = channels === 1 ? meanRgb : tf.matMul(meanRgb, tf.tensor2d([...GRAYSCALE_WEIGHTS], [3, 1]));
  return tf.reshape(gray, [x.shape[0], 1, 1, 1]);
}

/** The luma in every channel: [N, H, W, C] (the image itself for one channel). */
export function grayAllChannels(x: Tensor4D): Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c === 1) return x;
  const weights = tf.tensor2d([0, 1, 2].flatMap((i) => [0, 1, 2].map(() => GRAYSCALE_WEIGHTS[i]!)), [3, 3]);
  return tf.reshape(tf.matMul(tf.reshape(x, [n * h * w, 3]), weights), [n, h, w, c]);
}

const column = (values: Float32Array): Tensor => tf.tensor4d(values, [values.length, 1, 1, 1]);

export function applyAffineStage(x: Tensor4D, stage: AffineStage): Tensor4D {
  const { scale, grayWeight, meanCoefficients } = stage;
  const one = x.shape[3] === 1;
  // One channel: gray(x) = x, so f x + g gray(x) = (f + g) x.
  const f = one ? scale.map((v, i) => v + grayWeight[i]!) : scale;
  let out: Tensor = f.every((v) => v === 1) ? x : tf.mul(x, column(f));
  if (!one && grayWeight.some((v) => v !== 0)) out = tf.add(out, tf.mul(grayAllChannels(x), column(grayWeight)));
  if (meanCoefficients.some((v) => v !== 0)) out = tf.add(out, tf.mul(grayMean(x), column(meanCoefficients)));
  if (out === x) return tf.clone(x) as Tensor4D;
  return (stage.clamp ? tf.clipByValue(out, 0, 1) : out) as Tensor4D;
}
