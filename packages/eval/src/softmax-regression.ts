/**
 * Loss and closed-form gradients of softmax regression (the linear probe):
 * logits = x W + b, L = mean_i [logSumExp(logits_i) - logits_i[y_i]],
 * dL/dlogits = (softmax(logits) - onehot(y)) / B, dW = x^T dlogits,
 * db = sum_i dlogits_i. No gradient registry is needed.
 */
import * as tf from '@tensorflow/tfjs-core';

/** x [B, d], w [d, C], b [C], labels int32 [B]. Returns [loss, dW, db] (caller disposes). */
export function softmaxRegressionGradients(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  labels: tf.Tensor1D,
): [tf.Scalar, tf.Tensor2D, tf.Tensor1D] {
  return tf.tidy(() => {
    const numClasses = w.shape[1];
    const logits = tf.add(tf.matMul(x, w), b);
    const target = tf.oneHot(labels, numClasses);
    const lse = tf.logSumExp(logits, 1, true);
    const loss = tf.mean(tf.sub(tf.squeeze(lse, [1]), tf.sum(tf.mul(logits, target), 1))) as tf.Scalar;
    const dLogits = tf.div(tf.sub(tf.exp(tf.sub(logits, lse)), target), x.shape[0]);
    return [loss, tf.matMul(x, dLogits, true, false) as tf.Tensor2D, tf.sum(dLogits, 0) as tf.Tensor1D];
  });
}
