import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { DIRECT_RANGE, normalizeBackward, normalizeRows } from './in-batch-op';

/** Options of {@link marginCrossEntropyOp}. */
export interface MarginOpOptions {
  temperature: number;
  /** Added to every positive logit (the EqCo offset log(K/alpha)). */
  margin: number;
  normalize: boolean;
  /**
   * Per-row choice between two negative sets: negative m of row i is
   * `negatives[m]` where `choose[i, m]` is 1 and `alternatives[m]` where it is
   * 0 (float32 0/1 [B, K]; `alternatives` [K, d] then required).
   */
  choose?: Tensor;
  alternatives?: Tensor2D;
}

/**
 * mean_i CE([q_i.k_i/tau + margin, q_i.n_1/tau, ..., q_i.n_K/tau], 0) as one
 * custom op with a closed-form gradient for `query` (keys and negatives are
 * constants and get zeros): eqcoLoss, and SiMo with subsampled negatives (internal).
 *
 * Forward, with t_i = lse_j(neg_ij) - pos_i: loss_i = softplus(t_i)
 * (= logaddexp(pos, lse) - pos). The negatives' lse is L_i0 - log P_i0 for unit
 * rows when 2/tau + log K < DIRECT_RANGE (P_i0 cannot underflow), otherwise
 * max - log max softmax (spec §0.3).
 * Backward: dL/dq_i = sigmoid(t_i) (sum_j P_ij n_j - k_i) / (B tau), one
 * [B, K] x [K, d] product (two with `choose`), then the normalisation Jacobian.
 *
 * Shapes: query, keys [B, d], negatives [K, d] float32 -> Scalar. In a tidy.
 */
export function marginCrossEntropyOp(query: Tensor2D, keys: Tensor2D, negatives: Tensor2D, o: MarginOpOptions): Scalar {
  const b = query.shape[0];
  const { choose, alternatives } = o;
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [x, keyInput, negativeInput, save] = inputs as [Tensor, Tensor, Tensor, (ts: Tensor[]) => void];
    const q = o.normalize ? normalizeRows(x) : { y: x, r: tf.scalar(1), above: tf.scalar(1) };
    const unit = (t: Tensor) => (o.normalize ? normalizeRows(t).y : t);
    const k = unit(keyInput);
    const n = unit(negativeInput);
    const scaled = (t: Tensor) => tf.mul(tf.transpose(t), 1 / o.temperature);
    let logits = tf.matMul(q.y, scaled(n));
    const m = alternatives === undefined ? undefined : unit(alternatives);
    if (m !== undefined && choose !== undefined) {
      // Exact per-row choice: products with 1 and 0 and a sum with 0.
      logits = tf.add(tf.mul(logits, choose), tf.mul(tf.matMul(q.y, scaled(m)), tf.sub(1, choose)));
    }
    const p = tf.softmax(logits);
    // Unit rows bound the logits' spread by 2/tau: lse_i = L_i0 - log P_i0 (P_i0 >= e^-range).
    const k0 = logits.shape[1]!;
    const direct = o.normalize && 2 / o.temperature + Math.log(k0) < DIRECT_RANGE;
    const first = (t: Tensor) => tf.reshape(tf.slice(t, [0, 0], [-1, 1]), [b]);
    const lse = direct ? tf.sub(first(logits), tf.log(first(p))) : tf.sub(tf.max(logits, 1), tf.log(tf.max(p, 1)));
    const positive = tf.add(tf.mul(tf.sum(tf.mul(q.y, k), 1), 1 / o.temperature), o.margin);
    const t = tf.sub(lse, positive);
    // softplus(t) = max(t, 0) + log1p(exp(-|t|)), finite for any t.
    const loss = tf.add(tf.relu(t), tf.log1p(tf.exp(tf.neg(tf.abs(t)))));
    save([p, tf.reshape(tf.sigmoid(t), [b, 1]), k, n, q.y, q.r, q.above, ...(m === undefined || choose === undefined ? [] : [m, choose])]);
    return {
      value: tf.mean(loss),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sp, share, sk, sn, sy, sr, sa, sm, sc] = saved as Tensor[];
        const pulled =
          sm !== undefined && sc !== undefined
            ? tf.add(tf.matMul(tf.mul(sp!, sc), sn!), tf.matMul(tf.mul(sp!, tf.sub(1, sc)), sm))
            : tf.matMul(sp!, sn!);
        const g = tf.mul(tf.mul(tf.sub(pulled, sk!), share!), tf.mul(dy, 1 / (b * o.temperature)));
        // Keys and negatives are constants (sg): zero gradients.
        return [o.normalize ? normalizeBackward(g, sy!, sr!, sa!) : g, tf.zerosLike(keys), tf.zerosLike(negatives)];
      },
    };
  });
  return op(query, keys, negatives) as Scalar;
}
