import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { assertNonNegative } from './checks';

/** Default floor under the squared norm (float32; spec §0.3 suggests 1e-6 for float16). */
export const L2_NORMALIZE_EPSILON = 1e-12;

/**
 * y = x * r with r = rsqrt(max(sum(x^2, axis), eps)) as one custom op, so
 * backprop is a handful of kernels instead of the chain rule through square,
 * sum, maximum and rsqrt:
 *
 *   dx = r * (dy - y * sum(dy * y, axis))   where sum(x^2) > eps
 *   dx = r * dy                             where the floor holds (r is constant there)
 */
function normalizeOp(axis: number, epsilon: number) {
  return tf.customGrad((...inputs: unknown[]) => {
    const [x, save] = inputs as [Tensor, (ts: Tensor[]) => void];
    const parts = l2NormalizeParts(x, axis, epsilon);
    save([parts.y, parts.r, parts.above]);
    return {
      value: parts.y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [y, r, above] = saved as [Tensor, Tensor, Tensor];
        return l2NormalizeBackward(dy, { y, r, above }, axis);
      },
    };
  });
}

/** The forward quantities of an L2 normalisation: y = x r, r = rsqrt(max(sum(x^2), eps)), above = [sum(x^2) > eps]. */
export interface L2NormalizeParts {
  y: Tensor;
  r: Tensor;
  above: Tensor;
}

/**
 * The forward pass of {@link l2Normalize} with what its closed-form gradient
 * needs, for fused custom ops that normalise inside their own forward pass
 * (call in a tidy).
 */
export function l2NormalizeParts(x: Tensor, axis = -1, epsilon = L2_NORMALIZE_EPSILON): L2NormalizeParts {
  const squared = tf.sum(tf.square(x), axis, true);
  const r = tf.rsqrt(tf.maximum(squared, epsilon));
  return { y: tf.mul(x, r), r, above: tf.cast(tf.greater(squared, epsilon), 'float32') };
}

/** dx from dy through the normalisation of {@link l2NormalizeParts}: r (dy - y sum(dy y)) above the floor, r dy below it. */
export function l2NormalizeBackward(dy: Tensor, parts: L2NormalizeParts, axis = -1): Tensor {
  const along = tf.mul(tf.sum(tf.mul(dy, parts.y), axis, true), parts.above);
  return tf.mul(tf.sub(dy, tf.mul(parts.y, along)), parts.r);
}

/**
 * Scales `x` to unit L2 norm along `axis`: `x / sqrt(max(sum(x^2), epsilon))`.
 *
 * Shapes: any rank; the output has the input's shape. Rows of zeros stay zero.
 * The floor keeps the gradient finite (spec §0.3). Float32 inputs get the
 * closed-form gradient above; other dtypes are computed without one.
 */
export function l2Normalize<T extends Tensor>(x: T, axis = -1, epsilon = L2_NORMALIZE_EPSILON): T {
  assertNonNegative('l2Normalize', 'epsilon', epsilon);
  if (x.dtype !== 'float32') {
    return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), axis, true), epsilon)))) as T;
  }
  return normalizeOp(axis, epsilon)(x) as T;
}
