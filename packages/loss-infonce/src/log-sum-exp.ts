import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { logSumExpLastAxis, MASK_MARGIN } from '@contrastive/core';

/**
 * Row-wise log(sum(exp(x))) of a matrix, stable (spec §0.3): core's
 * softmax-based log-sum-exp, whose gradient is the row softmax saved from
 * the forward pass (no max or exp is taped).
 *
 * Shapes: x [n, m] -> [n].
 */
export function logSumExpRows(x: Tensor2D): Tensor1D {
  return tf.tidy(() => tf.reshape(logSumExpLastAxis(x), [x.shape[0]]) as Tensor1D);
}

/**
 * Row-wise log(exp(first_i) + sum_j exp(rest_ij)): the log-denominator of
 * logits [first | rest] without concatenating them into one [n, 1 + m]
 * matrix (a copy of the whole negative block). The two parts are joined by
 * logaddexp(a, b) = max(a, b) + log1p(exp(-|a - b|)) on [n] vectors.
 *
 * Shapes: first [n], rest [n, m] -> [n].
 */
export function logSumExpWithFirst(first: Tensor1D, rest: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const others = logSumExpRows(rest);
    const gap = tf.neg(tf.abs(tf.sub(first, others)));
    return tf.add(tf.maximum(first, others), tf.log1p(tf.exp(gap))) as Tensor1D;
  });
}

/** Amount by which a masked logit sits below the smallest logit (spec §0.3: finite, no -Infinity). */
export { MASK_MARGIN };

/**
 * where(mask, min(logits) - 1e4, logits) with the gradient dy outside the
 * mask and 0 inside, as one custom op: the forward ops (min, broadcast,
 * select) are not taped, so the backward pass is a single multiply.
 */
const maskedFill = tf.customGrad((...args: unknown[]) => {
  const [logits, keep, save] = args as [Tensor2D, Tensor2D, (tensors: tf.Tensor[]) => void];
  const fill = tf.sub(tf.min(logits), MASK_MARGIN);
  const value = tf.add(tf.mul(logits, keep), tf.mul(tf.sub(1, keep), fill)) as Tensor2D;
  // keep is saved: the caller's tidy may have disposed it before backprop.
  save([keep]);
  return {
    value,
    gradFunc: (dy: Tensor2D, saved: tf.Tensor[]) => [tf.mul(dy, saved[0]!), tf.zerosLike(saved[0]!)],
  };
});

/**
 * Replaces the entries of `logits` where `mask` is true by a finite value
 * far below every logit: min(logits) - 1e4 (no gradient). exp of the masked
 * entries relative to any row maximum underflows to exactly 0 in float32,
 * whatever the logit scale, and no row is ever -Infinity (a fully masked row
 * stays finite, spec §0.3). Masked entries get zero gradient.
 *
 * Shapes: logits [n, m], mask bool [n, m] -> [n, m].
 */
export function maskLogits(logits: Tensor2D, mask: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const keep = tf.sub(1, tf.cast(mask, 'float32')) as Tensor2D;
    return maskedFill(logits, keep) as Tensor2D;
  });
}
