import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { assertNonNegative } from './checks';

/** Default floor under the squared norm (float32; spec §0.3 suggests 1e-6 for float16). */
export const L2_NORMALIZE_EPSILON = 1e-12;

/**
 * Scales `x` to unit L2 norm along `axis`: `x / sqrt(max(sum(x^2), epsilon))`.
 *
 * Shapes: any rank; the output has the input's shape. Rows of zeros stay zero.
 * The floor keeps the gradient finite (spec §0.3).
 */
export function l2Normalize<T extends Tensor>(x: T, axis = -1, epsilon = L2_NORMALIZE_EPSILON): T {
  assertNonNegative('l2Normalize', 'epsilon', epsilon);
  return tf.tidy(() => {
    const squared = tf.sum(tf.square(x), axis, true);
    return tf.mul(x, tf.rsqrt(tf.maximum(squared, epsilon))) as T;
  });
}
