import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { exclusionDepth, swapHalves, viewPairExclusion } from './view-pairs';

export interface ViewPairContrastOptions {
  /**
   * 1/tau per logit: a number (one temperature), or a function of the
   * similarities giving 1/tau element-wise (any shape in, same shape out).
   * The function runs inside the op's forward pass, so the temperature is
   * held constant under differentiation (stop-gradient temperatures).
   */
  inverseTemperature: number | ((similarities: Tensor) => Tensor);
  /** An upper bound of every 1/tau the function can return (sizes the exclusion depth). */
  maxInverseTemperature: number;
  /** Exclude the positive from its own denominator as well (the decoupled loss). */
  decoupled: boolean;
}

/**
 * mean_i [ log sum_{k not excluded} exp(L_ik) - L_{i,p(i)} ],  L = s / tau,  s = u u^T
 * over the 2B anchors u = [u1; u2], p(i) = i + B mod 2B, as one custom op:
 * NT-Xent, DCL, and their per-pair-temperature forms (spec §1(a), §4(a)).
 *
 * Forward: excluded entries (diagonal; with `decoupled` the positives) are
 * lowered by {@link exclusionDepth}, so their exp is exactly 0 (spec §0.3);
 * P = the row softmax; lse_i = max_i - log(max P_i).
 *
 * Backward, with Y the one-hot positives and T held constant:
 * dL/ds = (P - Y) / (2B T), and since s is symmetric in u and Y u = Y^T u = u_p,
 *
 *   dL/du = ((P/T) + (P/T)^T) u / 2B - 2 u_p / (2B tau(s_{i,p(i)}))
 *
 * a handful of kernels where the chain rule through masking, max and exp
 * costs dozens.
 *
 * Shapes: u [2B, d] float32 -> Scalar. Call inside a tidy.
 */
export function viewPairContrast(u: Tensor2D, options: ViewPairContrastOptions): Scalar {
  const { inverseTemperature, maxInverseTemperature, decoupled } = options;
  const n = u.shape[0];
  // 1/tau as a tensor per entry, or undefined for one temperature (folded into scalars).
  const inverseOf = (s: Tensor): Tensor | undefined =>
    typeof inverseTemperature === 'number' ? undefined : inverseTemperature(s);
  const constant = typeof inverseTemperature === 'number' ? inverseTemperature : 1;
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [x, save] = inputs as [Tensor2D, (ts: Tensor[]) => void];
    const s = tf.matMul(x, tf.transpose(x));
    const inverse = inverseOf(s);
    const logits = inverse === undefined ? tf.mul(s, constant) : tf.mul(s, inverse);
    const depth = exclusionDepth(x, maxInverseTemperature);
    const masked = tf.add(logits, tf.mul(viewPairExclusion(n / 2, decoupled), depth));
    const p = tf.softmax(masked);
    const lse = tf.sub(tf.max(masked, 1), tf.log(tf.max(p, 1)));
    const positiveS = tf.sum(tf.mul(x, swapHalves(x)), 1);
    const positiveInverse = inverseOf(positiveS);
    const positive = positiveInverse === undefined ? tf.mul(positiveS, constant) : tf.mul(positiveS, positiveInverse);
    // P/T, and 2/tau of each positive pair; one temperature stays out of both (a scalar at the end).
    const weights = inverse === undefined ? p : tf.mul(p, inverse);
    const pull = positiveInverse === undefined ? tf.fill([n, 1], 2) : tf.reshape(tf.mul(positiveInverse, 2), [n, 1]);
    save([weights, x, pull]);
    return {
      value: tf.mean(tf.sub(lse, positive)) as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [w, sx, sp] = saved as [Tensor2D, Tensor2D, Tensor];
        const pulled = tf.matMul(tf.add(w, tf.transpose(w)), sx);
        return tf.mul(tf.sub(pulled, tf.mul(swapHalves(sx), sp)), tf.mul(dy, constant / n));
      },
    };
  });
  return op(u) as Scalar;
}
