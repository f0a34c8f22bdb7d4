import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/**
 * How far below every logit of its row an excluded logit is put: its exp
 * relative to the row maximum is exactly 0 in float32 (spec §0.3: finite,
 * never -Infinity).
 */
export const MASK_MARGIN = 1e4;

/**
 * Row i + B mod 2B of every row i of x = [x1; x2] (x [2B, d] -> [x2; x1]):
 * the other view of the same image, i.e. each anchor's positive.
 */
export function swapHalves(x: Tensor2D): Tensor2D {
  const batch = x.shape[0] / 2;
  return tf.tidy(() => tf.concat([tf.slice(x, [batch, 0], [batch, -1]), tf.slice(x, [0, 0], [batch, -1])], 0));
}

/**
 * -1 where a logit of the [2B, 2B] view-pair matrix [u1; u2] u^T is excluded
 * from its row's denominator, 0 elsewhere: the diagonal (self-similarity)
 * and, with `positives` (the decoupled loss), also (i, i + B mod 2B).
 * Built on the JS side; float32 [2B, 2B], owned by the caller.
 */
export function viewPairExclusion(batch: number, positives: boolean): Tensor2D {
  const n = 2 * batch;
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    values[i * n + i] = -1;
    if (positives) values[i * n + ((i + batch) % n)] = -1;
  }
  return tf.tensor2d(values, [n, n]);
}

/**
 * How far to lower excluded entries of logits s_ij * scale_ij with
 * s = u u^T and every scale_ij <= maxScale: 2 max_i |u_i|^2 maxScale + 1e4
 * bounds every |logit| twice over and adds the margin. Scalar tensor.
 */
export function exclusionDepth(u: Tensor2D, maxScale: number): tf.Scalar {
  return tf.tidy(() => tf.add(tf.mul(tf.max(tf.sum(tf.square(u), 1)), 2 * maxScale), MASK_MARGIN) as tf.Scalar);
}
