import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertDtype,
  assertNonEmpty,
  assertPositive,
  assertRank,
  assertSameShape,
  l2Normalize,
} from '@contrastive/core';

export interface AlignmentOptions {
  /**
   * Exponent alpha of the distance, > 0. Default 2: Wang & Isola's
   * `align_loss(x, y, alpha=2)` (SsnL/align_uniform; spec §7.1).
   */
  alpha?: number;
  /** L2-normalise the rows first. Default true: the metric is defined on unit features (spec §7.1). */
  normalize?: boolean;
}

/** Defaults of {@link alignmentLoss}. */
export const ALIGNMENT_DEFAULTS: Readonly<Required<AlignmentOptions>> = Object.freeze({
  alpha: 2,
  normalize: true,
});

/** Squared distances at or below this count as 0 for alpha != 2 (finite gradient at d = 0). */
export const ALIGNMENT_EPSILON = 1e-12;

/** Checks a float32 matrix [n >= minRows, d >= 1]. */
export function checkMatrix(fn: string, name: string, t: Tensor2D, minRows = 1): void {
  assertRank(fn, name, t, 2);
  assertDtype(fn, name, t, 'float32');
  assertNonEmpty(fn, name, t, 0);
  assertNonEmpty(fn, name, t, 1);
  if (t.shape[0] < minRows) {
    throw argumentError('SHAPE_MISMATCH', fn, name, `at least ${minRows} rows`, `[${t.shape.join(',')}]`);
  }
}

/** Checks a boolean option. */
export function checkFlag(fn: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw argumentError('INVALID_ARGUMENT', fn, name, 'a boolean', String(value));
}

/**
 * Per-pair ||u1_i - u2_i||^alpha [n] for already-checked inputs. Caller runs it in a tidy.
 */
export function alignmentPerPair(u1: Tensor2D, u2: Tensor2D, alpha: number): tf.Tensor1D {
  const squared = tf.sum(tf.square(tf.sub(u1, u2)), 1) as tf.Tensor1D;
  if (alpha === 2) return squared;
  // |d|^alpha = (|d|^2)^(alpha/2). Below the floor the value is 0 with a zero
  // (sub)gradient, as torch's norm() gives at d = 0; the floored power keeps
  // the unselected branch's gradient finite for alpha < 2.
  const powered = tf.pow(tf.maximum(squared, ALIGNMENT_EPSILON), alpha / 2);
  // step() is 1 above the floor, 0 at or below it, and has a zero gradient.
  return tf.mul(powered, tf.step(tf.sub(squared, ALIGNMENT_EPSILON))) as tf.Tensor1D;
}

/**
 * mean_i ||u1_i - u2_i||^2 as one custom op: forward sub, square, sum;
 * backward dL/du1 = -dL/du2 = 2 (u1 - u2) / n (the chain rule through the
 * per-row sum and the mean takes twice the kernels).
 */
function meanSquaredDistance(u1: Tensor2D, u2: Tensor2D): Scalar {
  const n = u1.shape[0];
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [a, b, save] = inputs as [Tensor2D, Tensor2D, (ts: Tensor[]) => void];
    const diff = tf.sub(a, b);
    save([diff]);
    return {
      value: tf.div(tf.sum(tf.square(diff)), n) as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const g = tf.mul(saved[0]!, tf.mul(dy, 2 / n));
        return [g, tf.neg(g)];
      },
    };
  });
  return op(u1, u2) as Scalar;
}

/** mean_i ||u1_i - u2_i||^alpha for already-checked inputs. Caller runs it in a tidy. */
export function alignmentMean(u1: Tensor2D, u2: Tensor2D, alpha: number): Scalar {
  return alpha === 2 ? meanSquaredDistance(u1, u2) : (tf.mean(alignmentPerPair(u1, u2, alpha)) as Scalar);
}

/**
 * Alignment loss (Wang & Isola, ICML 2020, arXiv 2005.10242; spec §7.1):
 *
 *   L_align = mean_i || u(z1_i) - u(z2_i) ||_2^alpha
 *
 * over positive pairs (row i of z1 and z2 are two views of one sample).
 * In [0, 4] for unit rows and alpha = 2.
 *
 * Shapes: z1, z2 [B, d] float32, B >= 1 -> Scalar.
 */
export function alignmentLoss(z1: Tensor2D, z2: Tensor2D, options: AlignmentOptions = {}): Scalar {
  const fn = 'alignmentLoss';
  const o = { ...ALIGNMENT_DEFAULTS, ...options };
  checkMatrix(fn, 'z1', z1);
  assertRank(fn, 'z2', z2, 2);
  assertSameShape(fn, ['z1', 'z2'], z1, z2);
  assertDtype(fn, 'z2', z2, 'float32');
  assertPositive(fn, 'alpha', o.alpha);
  checkFlag(fn, 'normalize', o.normalize);
  return tf.tidy(() => {
    const u1 = o.normalize ? l2Normalize(z1) : z1;
    const u2 = o.normalize ? l2Normalize(z2) : z2;
    return alignmentMean(u1, u2, o.alpha);
  });
}
