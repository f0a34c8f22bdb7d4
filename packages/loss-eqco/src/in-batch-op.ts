import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { l2Normalize, l2NormalizeBackward, l2NormalizeParts } from '@contrastive/core';

/**
 * Largest bound on (max logit - read logit) + log(row length) for which a
 * log-sum-exp is read off one softmax entry: e^-60 is far above float32's
 * smallest normal (1e-38), so that entry's log keeps full relative precision.
 */
export const DIRECT_RANGE = 60;

/**
 * mean_i [ logsumexp_j(L_ij) - L_ii ] with L = q k^T / tau + offsets, as one
 * custom op whose gradient reaches `query` (keys are constants, zeros): the
 * SiMo loss with the EqCo margin and any dropped negatives already in
 * `offsets` [B, B] (internal, in a tidy).
 *
 * Forward: P = softmax(L); CE_i = -log P_ii when `logitRange` (a bound on
 * max_j L_ij - L_ii over the kept entries, plus log B) is below
 * {@link DIRECT_RANGE}, so P_ii >= e^-range cannot underflow; otherwise
 * lse_i - L_ii with lse_i = max_i L - log max_i P (spec §0.3).
 * Backward: dL/dq = (P - I) k / (B tau), one [B, B] x [B, d] product, then
 * the closed-form Jacobian of the row normalisation when `normalize`.
 *
 * Shapes: query, keys [B, d] float32, offsets [B, B] -> Scalar.
 */
export function inBatchCrossEntropy(
  query: Tensor2D,
  keys: Tensor2D,
  offsets: Tensor,
  temperature: number,
  normalize: boolean,
  logitRange = Infinity,
): Scalar {
  const b = query.shape[0];
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [x, keyInput, save] = inputs as [Tensor, Tensor, (ts: Tensor[]) => void];
    const q = normalize ? l2NormalizeParts(x) : { y: x, r: tf.scalar(1), above: tf.scalar(1) };
    const k = normalize ? l2Normalize(keyInput) : keyInput;
    const logits = tf.add(tf.matMul(q.y, tf.mul(tf.transpose(k), 1 / temperature)), offsets);
    const p = tf.softmax(logits);
    const diagonal = tf.tensor1d(Int32Array.from({ length: b }, (_, i) => i * (b + 1)), 'int32');
    // CE_i = lse_i - L_ii = -log P_ii, read off the softmax when P_ii cannot underflow.
    const value = logitRange < DIRECT_RANGE
      ? tf.neg(tf.mean(tf.log(tf.gather(tf.reshape(p, [-1]), diagonal))))
      : tf.mean(tf.sub(tf.sub(tf.max(logits, 1), tf.log(tf.max(p, 1))), tf.gather(tf.reshape(logits, [-1]), diagonal)));
    save([p, k, q.y, q.r, q.above]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sp, sk, sy, sr, sa] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
        const g = tf.mul(tf.sub(tf.matMul(sp, sk), sk), tf.mul(dy, 1 / (b * temperature)));
        // Keys are constants (sg): a zero gradient.
        return [normalize ? l2NormalizeBackward(g, { y: sy, r: sr, above: sa }) : g, tf.zerosLike(keys)];
      },
    };
  });
  return op(query, keys) as Scalar;
}
