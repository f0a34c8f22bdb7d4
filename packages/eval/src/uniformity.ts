/**
 * Uniformity of Wang & Isola (ICML 2020), spec §7.1:
 * L_uniform(t) = log mean_{i<j} exp(-t ||u_i - u_j||_2^2), u = L2-normalised,
 * computed as logSumExp over the pairs i < j minus log(n(n-1)/2).
 * Reference code: SsnL/align_uniform `uniform_loss` (torch.pdist pairs).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertDtype,
  assertInteger,
  assertPositive,
  assertRank,
  describeShape,
  l2Normalize,
} from '@contrastive/core';
import { withDefaults } from './with-defaults';

export interface UniformityOptions {
  /** Scale t of the Gaussian potential. Default 2 (Wang & Isola). */
  t?: number;
  /** L2-normalise the rows first. Default true. */
  normalize?: boolean;
  /** Elements of one [chunkRows, n] distance block. Default 2^22. */
  chunkElements?: number;
}

export const UNIFORMITY_DEFAULTS = Object.freeze({ t: 2, normalize: true, chunkElements: 1 << 22 });

/** Masked entries: exp(-1e30) is 0 in float32, and nothing overflows. */
const MASKED = -1e30;

/**
 * x: [n, d] float32 with n >= 2. Returns a Scalar (owned by the caller),
 * <= 0; about -2t for uniform high-dimensional features. O(n^2) work in
 * row blocks of bounded memory; subsample large sets (spec §7.1 suggests
 * 5-10k points).
 *
 * @example
 * const u = uniformity(z, { t: 2 }); // spec §8: -1.547913 for its z1
 */
export function uniformity(x: Tensor2D, options: UniformityOptions = {}): Scalar {
  const fn = 'uniformity';
  const { t, normalize, chunkElements } = withDefaults(UNIFORMITY_DEFAULTS, options);
  assertRank(fn, 'x', x, 2);
  assertDtype(fn, 'x', x, 'float32');
  assertPositive(fn, 't', t);
  assertInteger(fn, 'chunkElements', chunkElements, 1);
  const [n, d] = x.shape;
  if (n < 2) throw argumentError('SHAPE_MISMATCH', fn, 'x', 'at least 2 rows', describeShape(x.shape));
  return tf.tidy(() => {
    const u = normalize ? l2Normalize(x, 1) : x;
    const norms = tf.sum(tf.square(u), 1);
    const uT = tf.transpose(u);
    const step = Math.max(1, Math.floor(chunkElements / n));
    const parts: tf.Tensor[] = [];
    const cols = tf.reshape(tf.range(0, n, 1, 'int32'), [1, n]);
    for (let start = 0; start < n - 1; start += step) {
      const rows = Math.min(step, n - 1 - start);
      const block = tf.slice(u, [start, 0], [rows, d]);
      // ||u_i - u_j||^2 = |u_i|^2 + |u_j|^2 - 2 u_i.u_j, clamped at 0.
      const sq = tf.relu(
        tf.add(
          tf.sub(tf.reshape(tf.slice(norms, [start], [rows]), [rows, 1]), tf.mul(2, tf.matMul(block, uT))),
          tf.reshape(norms, [1, n]),
        ),
      );
      const rowIds = tf.reshape(tf.range(start, start + rows, 1, 'int32'), [rows, 1]);
      const upper = tf.greater(cols, rowIds);
      parts.push(tf.logSumExp(tf.where(upper, tf.mul(-t, sq), tf.fill([rows, n], MASKED))));
    }
    const total = parts.length === 1 ? parts[0]! : tf.logSumExp(tf.stack(parts));
    return tf.sub(total, Math.log((n * (n - 1)) / 2)) as Scalar;
  });
}
