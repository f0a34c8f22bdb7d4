import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { l2Normalize } from '@contrastive/core';
import { MASK_MARGIN } from './log-sum-exp';

/**
 * -1 where a logit of [u1; u2] u^T is excluded from its row's denominator:
 * the diagonal, and with `positives` (DCL) also (i, i + B mod 2B). Built on
 * the JS side; [2B, 2B] float32.
 */
function exclusionPattern(batch: number, positives: boolean): Tensor2D {
  const n = 2 * batch;
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    values[i * n + i] = -1;
    if (positives) values[i * n + ((i + batch) % n)] = -1;
  }
  return tf.tensor2d(values, [n, n]);
}

/** Row i + B mod 2B of x for every row i: [x2; x1] for x = [x1; x2] (inside a tidy). */
function partnersOf(x: Tensor2D, batch: number): Tensor2D {
  return tf.concat([tf.slice(x, [batch, 0], [batch, -1]), tf.slice(x, [0, 0], [batch, -1])], 0);
}

/**
 * mean_i [ log sum_{k not excluded} exp(u_i.u_k / tau) - u_i.u_p(i) / tau ]
 * over the 2B rows u = [u1; u2], p(i) = i + B mod 2B, as one custom op.
 *
 * Forward: S = u u^T / tau; excluded entries are lowered by
 * 2 max_i|u_i|^2 / tau + 1e4, so they sit at least 1e4 below every logit of
 * their row and their exp is exactly 0 (spec §0.3: finite, never -Infinity);
 * P = softmax of the rows; lse_i = max_i - log(max P_i).
 *
 * Backward, from dL/dS = (P - Y) / 2B with Y the one-hot positives (P is 0 on
 * excluded entries) and S symmetric in u:
 *
 *   dL/du = ((P + P^T) u - 2 u_p) / (2B tau)
 *
 * since Y u and Y^T u are both the partner rows u_p (p is an involution).
 * That is five kernels on [2B, 2B] in all, where the chain rule through
 * masking, max and exp costs dozens.
 *
 * Shapes: u [2B, d] float32 -> Scalar.
 */
export function viewPairContrast(u: Tensor2D, temperature: number, decoupled: boolean): Scalar {
  const n = u.shape[0];
  const batch = n / 2;
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [x, save] = inputs as [Tensor2D, (ts: Tensor[]) => void];
    const logits = tf.matMul(tf.mul(x, 1 / temperature), tf.transpose(x));
    const depth = tf.add(tf.mul(tf.max(tf.sum(tf.square(x), 1)), 2 / temperature), MASK_MARGIN);
    const masked = tf.add(logits, tf.mul(exclusionPattern(batch, decoupled), depth));
    const p = tf.softmax(masked);
    const lse = tf.sub(tf.max(masked, 1), tf.log(tf.max(p, 1)));
    const positive = tf.mul(tf.sum(tf.mul(x, partnersOf(x, batch)), 1), 1 / temperature);
    save([p, x]);
    return {
      value: tf.mean(tf.sub(lse, positive)) as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sp, sx] = saved as [Tensor2D, Tensor2D];
        const partners = partnersOf(sx, batch);
        const pulled = tf.matMul(tf.add(sp, tf.transpose(sp)), sx);
        return tf.mul(tf.sub(pulled, tf.mul(partners, 2)), tf.mul(dy, 1 / (n * temperature)));
      },
    };
  });
  return op(u) as Scalar;
}

/** [z1; z2], rows normalised when asked: the 2B anchors of NT-Xent and DCL (inside a tidy). */
export function stackViews(z1: Tensor2D, z2: Tensor2D, normalize: boolean): Tensor2D {
  const u = tf.concat([z1, z2], 0) as Tensor2D;
  return normalize ? l2Normalize(u) : u;
}
