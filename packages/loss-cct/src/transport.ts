import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { stopGradient } from '@contrastive/core';
import { similarity } from './similarity';

/** Squared row norms over the last axis, keepDims: [..., n, d] -> [..., n, 1] (internal). */
export function squaredNorms(a: Tensor): Tensor {
  return tf.sum(tf.square(a), -1, true);
}

/**
 * Squared Euclidean distances between the rows of `a` [..., n, d] and `b`
 * [..., m, d]: |a|^2 + |b|^2 - 2 a.b, shape [..., n, m] (internal; in a tidy).
 */
export function squaredDistances(a: Tensor, b: Tensor): Tensor {
  const nb = tf.expandDims(tf.sum(tf.square(b), -1), -2);
  return tf.add(tf.sub(squaredNorms(a), tf.mul(similarity(a, b), 2)), nb);
}

/**
 * Softmax over the last axis (one fused kernel on wasm; log-space inside,
 * spec §0.3), stop-gradient when `detach`.
 */
export function plan(logits: Tensor, detach: boolean): Tensor {
  const p = tf.softmax(logits);
  return detach ? stopGradient(p) : p;
}

/**
 * log sum_j exp(logits_j) over the last axis, keepDims, from the softmax of
 * the same logits: max(x) - log(max(softmax(x))) (the largest probability
 * sits at the largest logit and is >= 1/n, so nothing underflows). Its
 * autodiff gradient is softmax(x), as it should be (internal).
 */
export function logNormalizer(logits: Tensor, p: Tensor): Tensor {
  return tf.sub(tf.max(logits, -1, true), tf.log(tf.max(p, -1, true)));
}

/**
 * Expected cost under the conditional transport plan softmax(scale * cost)
 * over the last axis: sum_j pi_j c_j (internal; in a tidy). `scale` is t+ for
 * attraction and -t- for repulsion.
 */
export function transportCost(costs: Tensor, scale: number, detach: boolean): Tensor {
  return tf.sum(tf.mul(plan(tf.mul(costs, scale), detach), costs), -1);
}
