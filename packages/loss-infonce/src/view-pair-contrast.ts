import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { exclusionDepth, l2Normalize, swapHalves, viewPairExclusion } from '@contrastive/core';

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
    const masked = tf.add(logits, tf.mul(viewPairExclusion(batch, decoupled), exclusionDepth(x, 1 / temperature)));
    const p = tf.softmax(masked);
    const lse = tf.sub(tf.max(masked, 1), tf.log(tf.max(p, 1)));
    const positive = tf.mul(tf.sum(tf.mul(x, swapHalves(x)), 1), 1 / temperature);
    save([p, x]);
    return {
      value: tf.mean(tf.sub(lse, positive)) as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sp, sx] = saved as [Tensor2D, Tensor2D];
        const partners = swapHalves(sx);
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
