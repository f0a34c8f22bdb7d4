/**
 * Alignment of Wang & Isola (ICML 2020), spec §7.1:
 * L_align(alpha) = mean_i ||u(x_i) - u(y_i)||_2^alpha, u = L2-normalised.
 * Reference code: SsnL/align_uniform `align_loss`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { assertDtype, assertNonEmpty, assertPositive, assertRank, assertSameShape, l2Normalize } from '@contrastive/core';
import { withDefaults } from './with-defaults';

export interface AlignmentOptions {
  /** Exponent alpha of the distance. Default 2 (Wang & Isola). */
  alpha?: number;
  /** L2-normalise the rows first. Default true. */
  normalize?: boolean;
}

export const ALIGNMENT_DEFAULTS = Object.freeze({ alpha: 2, normalize: true });

/**
 * x, y: [N, d] float32, row i of x and y a positive pair. Returns a Scalar
 * (owned by the caller), in [0, 4] for alpha = 2 on unit vectors.
 *
 * @example
 * const a = alignment(z1, z2); // spec §8: 0.030767 for its z1, z2
 */
export function alignment(x: Tensor2D, y: Tensor2D, options: AlignmentOptions = {}): Scalar {
  const fn = 'alignment';
  const { alpha, normalize } = withDefaults(ALIGNMENT_DEFAULTS, options);
  assertRank(fn, 'x', x, 2);
  assertDtype(fn, 'x', x, 'float32');
  assertNonEmpty(fn, 'x', x);
  assertSameShape(fn, ['x', 'y'], x, y);
  assertPositive(fn, 'alpha', alpha);
  return tf.tidy(() => {
    const u = normalize ? l2Normalize(x, 1) : x;
    const v = normalize ? l2Normalize(y, 1) : y;
    const squared = tf.sum(tf.square(tf.sub(u, v)), 1);
    const powered = alpha === 2 ? squared : tf.pow(squared, alpha / 2);
    return tf.mean(powered) as Scalar;
  });
}
