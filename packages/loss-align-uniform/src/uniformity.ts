import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { assertPositive, l2Normalize } from '@contrastive/core';
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

/** Amount by which the masked diagonal sits below every pair's logit (spec §0.3: finite, no -Infinity). */
const DIAGONAL_MARGIN = 1e4;

/** `value` on the diagonal of an [n, n] float32 matrix, zeros elsewhere, built on the JS side. */
function diagonal(n: number, value: number): Tensor2D {
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = value;
  return tf.tensor2d(values, [n, n]);
}

/**
 * log mean_{i != j} exp(-t ||x_i - x_j||^2) for already-checked rows, as one
 * custom op. Caller runs it in a tidy.
 *
 * Forward: squared distances from one Gram matMul, D = relu(s_i + s_j - 2 x_i.x_j);
 * the diagonal is lowered below every pair by 4t max_i s_i + 1e4 (D_ij <= 4 max s;
 * with `unitRows`, rows of norm <= 1 such as l2-normalised ones, the bound is
 * the constant 4t and no reduction is spent on it); W = softmax of all n^2
 * logits -t D (one fused kernel), and the value is lse - log(n(n-1)) with
 * lse = max - log(max W). The off-diagonal set holds each unordered pair
 * twice, so its mean equals the mean over i < j (spec §7.1).
 *
 * Backward, from dU/dD_ij = -t W_ij, dD_ij/dx_i = 2 (x_i - x_j) and W = W^T:
 *
 *   dU/dx = 4t (W x - rowsum(W) * x)
 *
 * one [n, n] x [n, d] matMul, where the chain rule through the distance
 * matrix, mask and log-sum-exp takes a few dozen kernels.
 */
export function uniformityOfRows(x: Tensor2D, t: number, unitRows = false): Scalar {
  const n = x.shape[0];
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [rows, save] = inputs as [Tensor2D, (ts: Tensor[]) => void];
    const sq = tf.sum(tf.square(rows), 1, true);
    const gram = tf.matMul(rows, tf.transpose(rows));
    const distances = tf.relu(tf.sub(tf.add(sq, tf.reshape(sq, [1, n])), tf.mul(gram, 2)));
    const scaled = tf.mul(distances, -t);
    const masked = unitRows
      ? tf.add(scaled, diagonal(n, -(4.01 * t + DIAGONAL_MARGIN)))
      : tf.sub(scaled, tf.mul(diagonal(n, 1), tf.add(tf.mul(tf.max(sq), 4 * t), DIAGONAL_MARGIN)));
    const logits = tf.reshape(masked, [1, n * n]);
    const w = tf.softmax(logits);
    const lse = tf.sub(tf.max(logits), tf.log(tf.max(w)));
    save([w, rows]);
    return {
      value: tf.sub(lse, Math.log(n * (n - 1))) as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sw, sx] = saved as [Tensor, Tensor2D];
        const square = tf.reshape(sw, [n, n]);
        const pulled = tf.sub(tf.matMul(square, sx), tf.mul(tf.sum(square, 1, true), sx));
        return tf.mul(pulled, tf.mul(dy, 4 * t));
      },
    };
  });
  return op(x) as Scalar;
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
  return tf.tidy(() => (o.normalize ? uniformityOfRows(l2Normalize(z), o.t, true) : uniformityOfRows(z, o.t)));
}
