import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { MASK_MARGIN, l2Normalize, l2NormalizeBackward, l2NormalizeParts } from '@contrastive/core';
import { DIRECT_RANGE } from './in-batch-op';

/** Options of {@link marginCrossEntropyOp}. */
export interface MarginOpOptions {
  temperature: number;
  /** Added to every positive logit (the EqCo offset log(K/alpha)). */
  margin: number;
  normalize: boolean;
  /**
   * Per-row negative sets within `negatives`: 1 where negative m is not one
   * of row i's, 0 where it is (float32 0/1 [B, K]). Excluded logits are
   * lowered by a depth bounding every logit spread plus MASK_MARGIN, so their
   * softmax weight is exactly 0 (spec §0.3).
   */
  exclude?: Tensor;
  /** With `exclude`: one included column of each row, [B] (where the log-sum-exp is read). */
  included?: Int32Array;
}

/**
 * mean_i CE([q_i.k_i/tau + margin, q_i.n_j/tau for the row's negatives j], 0)
 * as one custom op with a closed-form gradient for `query` (keys and
 * negatives are constants and get zeros): eqcoLoss, and SiMo with subsampled
 * negatives (internal).
 *
 * Forward, with t_i = lse_j(neg_ij) - pos_i: loss_i = softplus(t_i)
 * (= logaddexp(pos, lse) - pos). The negatives' lse is L_ij - log P_ij at an
 * included column j for unit rows when 2/tau + log K < DIRECT_RANGE (P_ij
 * cannot underflow), otherwise max - log max softmax (spec §0.3).
 * Backward: dL/dq_i = sigmoid(t_i) (sum_j P_ij n_j - k_i) / (B tau), one
 * [B, K] x [K, d] product, then the normalisation Jacobian.
 *
 * Shapes: query, keys [B, d], negatives [K, d] float32 -> Scalar. In a tidy.
 */
export function marginCrossEntropyOp(query: Tensor2D, keys: Tensor2D, negatives: Tensor2D, o: MarginOpOptions): Scalar {
  const [b, k0] = [query.shape[0], negatives.shape[0]];
  const { exclude } = o;
  const included = o.included ?? new Int32Array(b);
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [x, keyInput, negativeInput, save] = inputs as [Tensor, Tensor, Tensor, (ts: Tensor[]) => void];
    const q = o.normalize ? l2NormalizeParts(x) : { y: x, r: tf.scalar(1), above: tf.scalar(1) };
    // Keys and negatives are constants: core's l2Normalize (same arithmetic, its gradient unused).
    const unit = (t: Tensor) => (o.normalize ? l2Normalize(t) : t);
    const k = unit(keyInput);
    const n = unit(negativeInput);
    let logits = tf.matMul(q.y, tf.mul(tf.transpose(n), 1 / o.temperature));
    if (exclude !== undefined) {
      // |q.n| <= (|q|^2 + |n|^2) / 2, so every spread is below (max|q|^2 + max|n|^2) / tau.
      const spread = (t: Tensor) => tf.max(tf.sum(tf.square(t), 1));
      const depth = o.normalize
        ? -(2 / o.temperature + MASK_MARGIN)
        : tf.neg(tf.add(tf.div(tf.add(spread(q.y), spread(n)), o.temperature), MASK_MARGIN));
      logits = tf.add(logits, tf.mul(exclude, depth));
    }
    const p = tf.softmax(logits);
    const direct = o.normalize && 2 / o.temperature + Math.log(k0) < DIRECT_RANGE;
    const at = tf.tensor1d(included.map((c, i) => i * k0 + c), 'int32');
    const entry = (t: Tensor) => tf.gather(tf.reshape(t, [-1]), at);
    const lse = direct ? tf.sub(entry(logits), tf.log(entry(p))) : tf.sub(tf.max(logits, 1), tf.log(tf.max(p, 1)));
    const positive = tf.add(tf.mul(tf.sum(tf.mul(q.y, k), 1), 1 / o.temperature), o.margin);
    const t = tf.sub(lse, positive);
    // softplus(t) = max(t, 0) + log1p(exp(-|t|)), finite for any t.
    const loss = tf.add(tf.relu(t), tf.log1p(tf.exp(tf.neg(tf.abs(t)))));
    save([p, tf.reshape(tf.sigmoid(t), [b, 1]), k, n, q.y, q.r, q.above]);
    return {
      value: tf.mean(loss),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sp, share, sk, sn, sy, sr, sa] = saved as Tensor[];
        const g = tf.mul(tf.mul(tf.sub(tf.matMul(sp!, sn!), sk!), share!), tf.mul(dy, 1 / (b * o.temperature)));
        // Keys and negatives are constants (sg): zero gradients.
        return [o.normalize ? l2NormalizeBackward(g, { y: sy!, r: sr!, above: sa! }) : g, tf.zerosLike(keys), tf.zerosLike(negatives)];
      },
    };
  });
  return op(query, keys, negatives) as Scalar;
}
