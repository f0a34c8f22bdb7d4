import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError } from './errors';
import { MASK_MARGIN, excludedEntries, exclusionDepth, includedIndices, positiveIndices, swapHalves } from './view-pairs';

export interface ViewPairContrastOptions {
  /**
   * 1/tau per logit: a number (one temperature), or a function of the
   * similarities giving 1/tau element-wise (any shape in, same shape out).
   * The function runs inside the op's forward pass, so the temperature is
   * held constant under differentiation (stop-gradient temperatures).
   * Give exactly one of `inverseTemperature` and `temperature`.
   */
  inverseTemperature?: number | ((similarities: Tensor) => Tensor);
  /**
   * tau per logit as a function of the similarities (held constant under
   * differentiation, as above): the logits are s / tau, one division where
   * 1/tau would cost a reciprocal and a product.
   */
  temperature?: (similarities: Tensor) => Tensor;
  /** An upper bound of every 1/tau (sizes the exclusion depth). */
  maxInverseTemperature: number;
  /** Exclude the positive from its own denominator as well (the decoupled loss). */
  decoupled: boolean;
  /**
   * With `decoupled`: one log-sum-exp over the intra-view negatives and one
   * over the cross-view negatives, added (DySTreSS's TSDCL, spec §4(a)),
   * instead of one over all 2B - 2. Default false.
   */
  separateViews?: boolean;
  /**
   * A bound the caller guarantees on every |s_ij| = |u_i . u_j| (e.g. a
   * little above 1 for L2-normalised rows). Optional; when given, the
   * exclusion depth is a constant, and when the logits' range is then
   * narrow enough ({@link READ_OFF_LIMIT}) each row's log-sum-exp is read
   * off one softmax entry instead of two row maxima.
   */
  similarityBound?: number;
}

/**
 * The largest 2 bound maxInverseTemperature + log(row length) for which a
 * row's log-sum-exp is read off a fixed entry: that entry's softmax value
 * is then at least e^-80, a normal float32 (>= 1.2e-38) with full relative
 * precision.
 */
export const READ_OFF_LIMIT = 80;

/**
 * mean_i [ log sum_{k not excluded} exp(L_ik) - L_{i,p(i)} ],  L = s / tau,  s = u u^T
 * over the 2B anchors u = [u1; u2], p(i) = i + B mod 2B, as one custom op:
 * NT-Xent, DCL, and their per-pair-temperature forms (spec §1(a), §4(a));
 * with `separateViews`, the sum of two log-sum-exps per anchor (TSDCL).
 *
 * Forward: excluded entries (diagonal; with `decoupled` the positives) are
 * set to minus the exclusion depth, at least 1e4 below every logit, so
 * their exp is exactly 0 (spec §0.3);
 * P = the softmax of each row (of each half-row with `separateViews`, a
 * [4B, B] view of the same matrix). A row's log-sum-exp is L_ij - log P_ij
 * at any entry j it includes: the row maximum (max L - log max P), or, when
 * `similarityBound` guarantees P_ij >= e^-80, a fixed entry (the positive
 * for NT-Xent, where each anchor's term is then just -log P_{i,p(i)}).
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
  const { inverseTemperature, temperature, maxInverseTemperature, decoupled, similarityBound } = options;
  if ((inverseTemperature === undefined) === (temperature === undefined)) {
    throw argumentError('INVALID_ARGUMENT', 'viewPairContrast', 'options', 'exactly one of inverseTemperature and temperature', 'both or neither');
  }
  const n = u.shape[0];
  const batch = n / 2;
  const separate = decoupled && options.separateViews === true;
  const [rows, cols] = separate ? [2 * n, batch] : [n, n];
  const readOff =
    similarityBound !== undefined &&
    2 * similarityBound * maxInverseTemperature + Math.log(cols) <= READ_OFF_LIMIT &&
    (!decoupled || batch >= 2);
  const constant = typeof inverseTemperature === 'number' ? inverseTemperature : undefined;
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [x, save] = inputs as [Tensor2D, (ts: Tensor[]) => void];
    const positives = tf.tensor1d(positiveIndices(batch), 'int32');
    // The logits and, for a per-pair temperature, P/T and 2/tau of each positive;
    // one temperature stays out of both (a scalar at the end) and scales x before the matMul.
    let logits: Tensor;
    let weightsOf = (p: Tensor): Tensor => p;
    let pull: Tensor | undefined;
    if (constant !== undefined) {
      logits = tf.matMul(tf.mul(x, constant), tf.transpose(x));
    } else {
      const s = tf.matMul(x, tf.transpose(x));
      const perPair = temperature === undefined ? (inverseTemperature as (s: Tensor) => Tensor)(s) : temperature(s);
      const atPositives = tf.reshape(tf.gather(tf.reshape(perPair, [n * n]), positives), [n, 1]);
      if (temperature === undefined) {
        logits = tf.mul(s, perPair);
        weightsOf = (p) => tf.mul(p, perPair);
        pull = tf.mul(atPositives, 2);
      } else {
        logits = tf.div(s, perPair);
        weightsOf = (p) => tf.div(p, perPair);
        pull = tf.div(2, atPositives);
      }
    }
    const readsPositive = readOff && !decoupled;
    // The positives' logits, read before the scatter below (the cpu backend's
    // TensorScatterUpdate writes into its input's values).
    const positiveLogits = readsPositive ? undefined : tf.gather(tf.reshape(logits, [n * n]), positives);
    // Excluded entries are overwritten with -depth (one TensorScatterUpdate).
    const entries = excludedEntries(batch, decoupled);
    const count = entries.length / 2;
    const depth =
      similarityBound === undefined
        ? tf.broadcastTo(tf.reshape(tf.neg(exclusionDepth(x, maxInverseTemperature)), [1]), [count])
        : tf.fill([count], -(2 * similarityBound * maxInverseTemperature + MASK_MARGIN));
    const masked = tf.reshape(tf.tensorScatterUpdate(logits, tf.tensor2d(entries, [count, 2], 'int32'), depth), [rows, cols]);
    const p = tf.softmax(masked);
    const flatP = tf.reshape(p, [n * n]);
    let value: Tensor;
    if (positiveLogits === undefined) {
      value = tf.neg(tf.mean(tf.log(tf.gather(flatP, positives))));
    } else {
      const lse = readOff
        ? readOffLogSumExp(tf.reshape(masked, [n * n]), flatP, includedIndices(batch, decoupled, separate))
        : tf.sub(tf.max(masked, 1), tf.log(tf.max(p, 1)));
      value = tf.div(tf.sub(tf.sum(lse), tf.sum(positiveLogits)), n);
    }
    save([weightsOf(tf.reshape(p, [n, n])), x, ...(pull === undefined ? [] : [pull])]);
    return {
      value: value as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [w, sx, sp] = saved as [Tensor2D, Tensor2D, Tensor | undefined];
        const pulled = tf.matMul(tf.add(w, tf.transpose(w)), sx);
        const partners = tf.mul(swapHalves(sx), sp ?? 2);
        return tf.mul(tf.sub(pulled, partners), tf.mul(dy, (constant ?? 1) / n));
      },
    };
  });
  return op(u) as Scalar;
}

/** L_j - log P_j at one included entry j per softmax row (flat indices): each row's log-sum-exp. */
function readOffLogSumExp(flatMasked: Tensor, flatP: Tensor, indices: Int32Array): Tensor {
  const at = tf.tensor1d(indices, 'int32');
  return tf.sub(tf.gather(flatMasked, at), tf.log(tf.gather(flatP, at)));
}
