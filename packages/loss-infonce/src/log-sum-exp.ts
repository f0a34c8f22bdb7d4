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
 * Replaces the entries of `logits` where `mask` is true by a finite value
 * far below every logit: min(logits) - 1e4 (held under stop-gradient). exp of
 * the masked entries relative to any row maximum underflows to exactly 0 in
 * float32, whatever the logit scale, and no row is ever -Infinity (a fully
 * masked row stays finite, spec §0.3).
 *
 * Shapes: logits [n, m], mask bool [n, m] -> [n, m].
 */
export function maskLogits(logits: Tensor2D, mask: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const fill = stopGradient(tf.sub(tf.min(logits), MASK_MARGIN));
    return tf.where(mask, tf.broadcastTo(fill, logits.shape), logits) as Tensor2D;
  });
}
