import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { stopGradient } from '@contrastive/core';

/**
 * Row-wise log(sum(exp(x))) of a matrix, stable (spec §0.3): the row maximum
 * is subtracted first and held under stop-gradient, since its exact
 * gradient cancels; the result's gradient is the row softmax.
 *
 * Shapes: x [n, m] -> [n].
 */
export function logSumExpRows(x: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const m = stopGradient(tf.max(x, 1, true));
    const s = tf.sum(tf.exp(tf.sub(x, m)), 1);
    return tf.add(tf.log(s), tf.reshape(m, [-1])) as Tensor1D;
  });
}

/**
 * Row-wise log(exp(first_i) + sum_j exp(rest_ij)): the log-denominator of
 * logits [first | rest] without concatenating them into one [n, 1 + m]
 * matrix (a copy of the whole negative block).
 *
 * Shapes: first [n], rest [n, m] -> [n].
 */
export function logSumExpWithFirst(first: Tensor1D, rest: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const m = stopGradient(tf.maximum(tf.max(rest, 1), first));
    const restSum = tf.sum(tf.exp(tf.sub(rest, tf.expandDims(m, 1))), 1);
    return tf.add(tf.log(tf.add(tf.exp(tf.sub(first, m)), restSum)), m) as Tensor1D;
  });
}

/** Amount by which a masked logit sits below the smallest logit (spec §0.3: finite, no -Infinity). */
export const MASK_MARGIN = 1e4;

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
