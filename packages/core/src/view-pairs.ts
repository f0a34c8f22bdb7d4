import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/**
 * How far below every logit of its row an excluded logit is put: its exp
 * relative to the row maximum is exactly 0 in float32 (spec §0.3: finite,
 * never -Infinity).
 */
export const MASK_MARGIN = 1e4;

/**
 * Row i + B mod 2B of every row i of x = [x1; x2] (x [2B, d] -> [x2; x1]):
 * the other view of the same image, i.e. each anchor's positive.
 */
export function swapHalves(x: Tensor2D): Tensor2D {
  const batch = x.shape[0] / 2;
  return tf.tidy(() => tf.concat([tf.slice(x, [batch, 0], [batch, -1]), tf.slice(x, [0, 0], [batch, -1])], 0));
}

/**
 * (row, column) of every logit of the [2B, 2B] view-pair matrix [u1; u2] u^T
 * that is excluded from its row's denominator, flattened pairs (internal):
 * the diagonal (self-similarity) and, with `positives`, also (i, i + B mod 2B).
 */
export function excludedEntries(batch: number, positives: boolean): Int32Array {
  const n = 2 * batch;
  const per = positives ? 2 : 1;
  const out = new Int32Array(2 * per * n);
  for (let i = 0; i < n; i++) {
    out[2 * per * i] = i;
    out[2 * per * i + 1] = i;
    if (positives) {
      out[4 * i + 2] = i;
      out[4 * i + 3] = (i + batch) % n;
    }
  }
  return out;
}

/**
 * -1 where a logit of the [2B, 2B] view-pair matrix [u1; u2] u^T is excluded
 * from its row's denominator, 0 elsewhere: the diagonal (self-similarity)
 * and, with `positives` (the decoupled loss), also (i, i + B mod 2B).
 * Float32 [2B, 2B], owned by the caller.
 */
export function viewPairExclusion(batch: number, positives: boolean): Tensor2D {
  const entries = excludedEntries(batch, positives);
  const count = entries.length / 2;
  return tf.tidy(() =>
    tf.scatterND(tf.tensor2d(entries, [count, 2], 'int32'), tf.fill([count], -1), [2 * batch, 2 * batch]),
  ) as Tensor2D;
}

/** Flat index i * 2B + (i + B mod 2B) of each anchor's positive in the [2B, 2B] matrix (internal). */
export function positiveIndices(batch: number): Int32Array {
  const n = 2 * batch;
  return Int32Array.from({ length: n }, (_, i) => i * n + ((i + batch) % n));
}

/**
 * Flat indices into the [2B, 2B] view-pair matrix of one entry per softmax
 * row that is never excluded (internal). Rows: the 2B anchors; with
 * `separateViews`, the 4B half-rows (anchor i's columns [0, B) then [B, 2B)).
 * The entry: the positive when only the diagonal is excluded; otherwise the
 * next column (i + 1, in the half-row: i + 1 mod B), which needs B >= 2.
 */
export function includedIndices(batch: number, positives: boolean, separateViews: boolean): Int32Array {
  const n = 2 * batch;
  if (!positives) return positiveIndices(batch);
  if (!separateViews) return Int32Array.from({ length: n }, (_, i) => i * n + ((i + 1) % n));
  return Int32Array.from({ length: 2 * n }, (_, r) => {
    const i = r >> 1;
    return i * n + (r & 1) * batch + ((i + 1) % batch);
  });
}

/**
 * How far to lower excluded entries of logits s_ij * scale_ij with
 * s = u u^T and every scale_ij <= maxScale: 2 max_i |u_i|^2 maxScale + 1e4
 * bounds every |logit| twice over and adds the margin. Scalar tensor.
 */
export function exclusionDepth(u: Tensor2D, maxScale: number): tf.Scalar {
  return tf.tidy(() => tf.add(tf.mul(tf.max(tf.sum(tf.square(u), 1)), 2 * maxScale), MASK_MARGIN) as tf.Scalar);
}
