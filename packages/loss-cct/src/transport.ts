import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { similarity } from '@contrastive/core';

/** Squared row norms over the last axis, keepDims: [..., n, d] -> [..., n, 1] (internal). */
export function squaredNorms(a: Tensor): Tensor {
  return tf.sum(tf.square(a), -1, true);
}

/**
 * Squared Euclidean distances between the rows of 2-D `a` [n, d] and `b`
 * [m, d]: |a|^2 + |b|^2 - 2 a.b, shape [n, m] (internal; in a tidy).
 */
export function squaredDistances(a: Tensor, b: Tensor): Tensor {
  const nb = tf.reshape(squaredNorms(b), [1, -1]);
  return tf.add(tf.sub(squaredNorms(a), tf.mul(similarity(a, b), 2)), nb);
}

/**
 * Row-wise squared distances between the V rows of each image:
 * [B, V, d] x [B, V, d] -> [B, V, V], entry (i, x, y) = ||a_x,i - b_y,i||^2.
 * Element-wise on [B, V, V, d] (tiny V), exact, no batched matMul (slow on wasm).
 */
export function viewDistances(a: Tensor, b: Tensor): Tensor {
  return tf.sum(tf.square(tf.sub(tf.expandDims(a, 2), tf.expandDims(b, 1))), -1);
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
 * {@link logNormalizer} of `logits` as a constant: computed in the untaped
 * forward pass of a custom op with a zero gradient, so backprop does not run
 * zeros back through max and softmax (internal).
 */
export function detachedLogNormalizer(logits: Tensor): Tensor {
  const op = tf.customGrad((...inputs: unknown[]) => {
    const x = inputs[0] as Tensor;
    return { value: logNormalizer(x, tf.softmax(x)), gradFunc: () => tf.zerosLike(x) };
  });
  return op(logits);
}

/**
 * sum_j pi_j c_j with pi = sg(softmax(scale * c)) as one custom op: the plan
 * is computed in the forward pass, which tfjs does not record, and the
 * gradient is dy * pi, so nothing runs back through the softmax.
 */
function detachedTransportCost(costs: Tensor, scale: number): Tensor {
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [c, save] = inputs as [Tensor, (ts: Tensor[]) => void];
    const p = tf.softmax(tf.mul(c, scale));
    save([p]);
    return {
      value: tf.sum(tf.mul(p, c), -1),
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.mul(tf.expandDims(dy, -1), saved[0]!),
    };
  });
  return op(costs);
}

/**
 * Expected cost under the conditional transport plan softmax(scale * cost)
 * over the last axis: sum_j pi_j c_j (internal; in a tidy). `scale` is t+ for
 * attraction and -t- for repulsion; `detach` stops the gradient through pi.
 */
export function transportCost(costs: Tensor, scale: number, detach: boolean): Tensor {
  if (detach) return detachedTransportCost(costs, scale);
  return tf.sum(tf.mul(tf.softmax(tf.mul(costs, scale)), costs), -1);
}
