/**
 * The per-sample colour map behind brightness, contrast, saturation and
 * grayscale: out = clamp(f_b x + g_b gray(x) + c_b mean(gray(x_b)), 0, 1),
 * with gray(x) the luma broadcast to every channel, on the pixel-major layout
 * of `stacked.ts` (per-image factors broadcast as [1, 1, N], the luma as
 * [HW, 1, N]: fast kernels on every backend). Internal; call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor3D } from '@tensorflow/tfjs-core';
import { imageMean, mixChannels, perImage, withData, type Stacked } from './stacked';

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

/** The luma `[HW, 1, N]` of a stacked batch (the batch itself for one channel). */
export function stackedGray(p: Stacked): Tensor3D {
  return p.c === 1 ? p.data : mixChannels(p, [...GRAYSCALE_WEIGHTS]);
}

/**
 * out = f_b x + g_b gray(x) + c_b mean(gray(x_b)), clamped when `stage.clamp`,
 * on a stacked batch: at most one channel mix, one mean and three full-size
 * elementwise kernels, each skipped when its coefficients are all zero.
 */
export function applyAffineStage(p: Stacked, stage: AffineStage): Stacked {
  const { scale, grayWeight, meanCoefficients } = stage;
  const one = p.c === 1;
  const x = p.data;
  // One channel: gray(x) = x, so f x + g gray(x) = (f + g) x.
  const f = one ? scale.map((v, i) => v + grayWeight[i]!) : scale;
  const useGray = !one && grayWeight.some((v) => v !== 0);
  const useMean = meanCoefficients.some((v) => v !== 0);
  if (f.every((v) => v === 1) && !useGray && !useMean) return p;
  const gray = useGray || (useMean && !one) ? stackedGray(p) : x;
  const scaled: Tensor = f.every((v) => v === 1) ? x : tf.mul(x, perImage(f));
  // The gray and mean terms are summed on the [HW, 1, N] plane first (for
  // three channels), then added to every channel in one broadcast.
  let shift: Tensor | null = useGray ? tf.mul(gray, perImage(grayWeight)) : null;
  if (useMean) {
    const term = tf.mul(imageMean(gray), perImage(meanCoefficients));
    shift = shift === null ? term : tf.add(shift, term);
  }
  const out = shift === null ? scaled : tf.add(scaled, shift);
  return withData(p, stage.clamp ? tf.clipByValue(out, 0, 1) : out);
}
