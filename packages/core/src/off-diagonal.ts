import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * The off-diagonal entries of the trailing square matrices of `m`:
 * `[..., n, n]` -> `[..., n, n - 1]`, row i keeping columns j != i in order
 * (column c of the result is column c of the input when c < i, else c + 1).
 *
 * Slices and reshapes only, so self-similarities are removed exactly rather
 * than masked (spec §0.3, first way). Requires n >= 2.
 */
export function offDiagonal(m: Tensor): Tensor {
  return tf.tidy(() => offDiagonalUntidied(m));
}

function offDiagonalUntidied(m: Tensor): Tensor {
  const n = m.shape[m.rank - 1]!;
  const lead = m.shape.slice(0, -2);
  const batch = lead.reduce((a, b) => a * b, 1);
  const flat = tf.reshape(m, [batch, n * n]);
  // Dropping the first entry puts every other diagonal entry at the end of a row of n + 1.
  const shifted = tf.reshape(tf.slice(flat, [0, 1], [batch, n * n - 1]), [batch, n - 1, n + 1]);
  const kept = tf.slice(shifted, [0, 0, 0], [batch, n - 1, n]);
  return tf.reshape(kept, [...lead, n, n - 1]);
}
