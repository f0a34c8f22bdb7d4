import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { assertPositive, l2Normalize } from '@contrastive/core';
import { logSumExpRows, maskLogits } from '@contrastive/loss-infonce';
import { checkFlag, checkMatrix } from './alignment';

export interface UniformityOptions {
  /**
   * Scale t of the Gaussian potential, > 0. Default 2: Wang & Isola's
   * `uniform_loss(x, t=2)` (SsnL/align_uniform; spec §7.1).
   */
  t?: number;
  /**
   * L2-normalise the rows first. Default true (spec §7.1). With false the
   * rows are used as given, e.g. for PAUC's prototype-assignment vectors.
   */
  normalize?: boolean;
}

/** Defaults of {@link uniformityLoss}. */
export const UNIFORMITY_DEFAULTS: Readonly<Required<UniformityOptions>> = Object.freeze({
  t: 2,
  normalize: true,
});

/** Boolean identity mask [n, n], built on the JS side. */
function diagonalMask(n: number): Tensor2D {
  const values = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return tf.tensor2d(values, [n, n], 'bool');
}

/**
 * log mean_{i != j} exp(-t ||x_i - x_j||^2) for already-checked rows. Caller runs it in a tidy.
 * Squared distances come from one matmul: |x_i|^2 + |x_j|^2 - 2 x_i.x_j, floored at 0.
 */
export function uniformityOfRows(x: Tensor2D, t: number): Scalar {
  const n = x.shape[0];
  const sq = tf.sum(tf.square(x), 1, true);
  const gram = tf.matMul(x, x, false, true);
  const distances = tf.relu(tf.sub(tf.add(sq, tf.transpose(sq)), tf.mul(gram, 2)));
  const logits = maskLogits(tf.mul(distances, -t) as Tensor2D, diagonalMask(n));
  // The off-diagonal set holds each unordered pair twice, so its mean equals
  // the mean over i < j (spec §7.1): log-sum-exp over all entries - log(n(n-1)).
  const total = logSumExpRows(tf.reshape(logits, [1, n * n]) as Tensor2D);
  return tf.sub(tf.reshape(total, []), Math.log(n * (n - 1))) as Scalar;
}

/**
 * Uniformity loss (Wang & Isola, ICML 2020; spec §7.1):
 *
 *   L_uniform = log mean_{i < j} exp(-t || u_i - u_j ||_2^2)
 *
 * over the distinct unordered pairs of rows. At most 0; for unit rows in
 * high dimension it approaches -2t at best (= -4 at t = 2).
 *
 * Shapes: z [n, d] float32, n >= 2 -> Scalar. Cost O(n^2 d).
 */
export function uniformityLoss(z: Tensor2D, options: UniformityOptions = {}): Scalar {
  const fn = 'uniformityLoss';
  const o = { ...UNIFORMITY_DEFAULTS, ...options };
  checkMatrix(fn, 'z', z, 2);
  assertPositive(fn, 't', o.t);
  checkFlag(fn, 'normalize', o.normalize);
  return tf.tidy(() => uniformityOfRows(o.normalize ? l2Normalize(z) : z, o.t));
}
