import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { stopGradient } from '@contrastive/core';

/**
 * Squared Euclidean distances between the rows of `a` [..., n, d] and `b`
 * [..., m, d]: |a|^2 + |b|^2 - 2 a.b, shape [..., n, m] (internal; in a tidy).
 */
export function squaredDistances(a: Tensor, b: Tensor): Tensor {
  const na = tf.sum(tf.square(a), -1, true);
  const nb = tf.expandDims(tf.sum(tf.square(b), -1), -2);
  return tf.add(tf.sub(na, tf.mul(tf.matMul(a, b, false, true), 2)), nb);
}

/**
 * Log-space softmax weights exp(logits - lse) over the last axis with the
 * given log-normaliser (spec §0.3), stop-gradient when `detach`.
 */
export function planWeights(logits: Tensor, lse: Tensor, detach: boolean): Tensor {
  const w = tf.exp(tf.sub(logits, lse));
  return detach ? stopGradient(w) : w;
}

/**
 * Expected cost under the conditional transport plan softmax(scale * cost)
 * over the last axis: sum_j pi_j c_j (internal; in a tidy). `scale` is t+ for
 * attraction and -t- for repulsion.
 */
export function transportCost(costs: Tensor, scale: number, detach: boolean): Tensor {
  const logits = tf.mul(costs, scale);
  const w = planWeights(logits, tf.logSumExp(logits, -1, true), detach);
  return tf.sum(tf.mul(w, costs), -1);
}
