import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { logNormalizer, squaredDistances, squaredNorms } from './transport';
import { similarityToConstant } from '@contrastive/core';

function costs(q: Tensor, n: Tensor, dots: Tensor): Tensor {
  const queueNorms = tf.reshape(squaredNorms(n), [1, -1]);
  return tf.add(tf.sub(squaredNorms(q), tf.mul(dots, 2)), queueNorms);
}

/**
 * Repulsion statistics of rows `q` [R, d] against a constant queue `n` [K, d]
 * under the plan pi = softmax(-tNeg c) over the queue, c = ||q_r - n_j||^2.
 * Returns [R, 2]: column 0 is sum_j pi_j c_j, column 1 the log-normaliser
 * logsumexp_j(-tNeg c_j) (for sharing the plan with other candidates).
 *
 * With `detach` the plan is a constant (sg) and the whole computation is one
 * custom op: the [R, K] matrices are made in the untaped forward pass and the
 * gradient is d/dq_r = 2 dy_r0 (q_r - sum_j pi_j n_j), one [R, K] x [K, d]
 * product; the normaliser gets no gradient. Without `detach`, plain autodiff.
 */
export function queueTransport(q: Tensor, n: Tensor, tNeg: number, detach: boolean): Tensor {
  if (!detach) {
    const c = costs(q, n, similarityToConstant(q, n));
    const logits = tf.mul(c, -tNeg);
    const p = tf.softmax(logits);
    return tf.concat([tf.sum(tf.mul(p, c), 1, true), logNormalizer(logits, p)], 1);
  }
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [rows, queue, save] = inputs as [Tensor, Tensor, (ts: Tensor[]) => void];
    const c = costs(rows, queue, tf.matMul(rows, tf.transpose(queue)));
    const logits = tf.mul(c, -tNeg);
    const p = tf.softmax(logits);
    save([p, rows, queue]);
    return {
      value: tf.concat([tf.sum(tf.mul(p, c), 1, true), logNormalizer(logits, p)], 1),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sp, sq, sn] = saved as [Tensor, Tensor, Tensor];
        const dCost = tf.slice(dy, [0, 0], [-1, 1]);
        return [tf.mul(tf.mul(dCost, 2), tf.sub(sq, tf.matMul(sp, sn))), tf.zerosLike(sn)];
      },
    };
  });
  return op(q, n);
}

/** Squared distances of each view's rows to the view's other rows: V x [B, d] -> [V B, B - 1]. */
export function intraViewDistances(views: readonly Tensor[], offDiagonal: (m: Tensor) => Tensor): Tensor {
  return tf.concat(views.map((x) => offDiagonal(squaredDistances(x, x))), 0);
}
