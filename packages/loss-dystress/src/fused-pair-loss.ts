import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { exclusionDepth, swapHalves, viewPairExclusion } from '@contrastive/core';
import { temperatureOf, type DystressTemperatureOptions } from './dystress-temperature';

/**
 * DySTreSS NT-Xent with the temperature on stop-gradient similarities, as one
 * custom op over the 2B anchors u = [u1; u2] (spec §4(a)):
 *
 *   L_ij = s_ij / tau(sg(s_ij)),  l_i = log sum_{k != i} exp(L_ik) - L_{i,p(i)},  L = mean_i l_i
 *
 * Backward, with P the row softmax over k != i, Y the one-hot positives and
 * T = tau(s) held constant: dL/ds = (P - Y) / (2B T), and s = u u^T gives
 *
 *   dL/du = ((P/T) + (P/T)^T) u / 2B - 2 u_p / (2B tau(s_{i,p(i)}))
 *
 * (s is symmetric, so both one-hot terms are the partner rows over their
 * shared temperature). The diagonal is lowered by 2 max|u|^2 / tauMin + 1e4,
 * so its exp is exactly 0 (spec §0.3: finite, never -Infinity).
 *
 * Shapes: u [2B, d] float32 -> Scalar. Same value and gradient as the
 * composed form with `detachTemperature: true`, in a handful of kernels.
 */
export function detachedPairLoss(u: Tensor2D, t: Required<DystressTemperatureOptions>): Scalar {
  const n = u.shape[0];
  const batch = n / 2;
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [x, save] = inputs as [Tensor2D, (ts: Tensor[]) => void];
    const s = tf.matMul(x, tf.transpose(x));
    const inverseTau = tf.reciprocal(temperatureOf(s, t));
    const logits = tf.mul(s, inverseTau);
    const masked = tf.add(logits, tf.mul(viewPairExclusion(batch, false), exclusionDepth(x, 1 / t.tauMin)));
    const p = tf.softmax(masked);
    const lse = tf.sub(tf.max(masked, 1), tf.log(tf.max(p, 1)));
    const partners = swapHalves(x);
    const positiveS = tf.sum(tf.mul(x, partners), 1);
    const positiveInverseTau = tf.reciprocal(temperatureOf(positiveS, t));
    save([tf.mul(p, inverseTau), x, positiveInverseTau]);
    return {
      value: tf.mean(tf.sub(lse, tf.mul(positiveS, positiveInverseTau))) as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [pOverT, sx, posInv] = saved as [Tensor2D, Tensor2D, Tensor];
        const pulled = tf.matMul(tf.add(pOverT, tf.transpose(pOverT)), sx);
        const attracted = tf.mul(swapHalves(sx), tf.mul(tf.reshape(posInv, [n, 1]), 2));
        return tf.mul(tf.sub(pulled, attracted), tf.div(dy, n));
      },
    };
  });
  return op(u) as Scalar;
}
