import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { logSumExpLastAxis } from '@contrastive/core';

/**
 * Per-row CE([positive, negatives...], target 0) in log space (internal; inside
 * a tidy): logaddexp(positive, logsumexp(negatives)) - positive.
 *
 * `positive` [B] (the margin already added), `negatives` [B, K].
 * Avoids concatenating a [B, K + 1] matrix, which matters for K = 65536.
 */
export function marginCrossEntropy(positive: Tensor, negatives: Tensor): Tensor {
  const negative = tf.reshape(logSumExpLastAxis(negatives), positive.shape);
  const top = tf.maximum(positive, negative);
  const rest = tf.log1p(tf.exp(tf.neg(tf.abs(tf.sub(positive, negative)))));
  return tf.sub(tf.add(top, rest), positive);
}
