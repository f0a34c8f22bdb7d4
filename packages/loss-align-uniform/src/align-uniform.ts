import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { assertDtype, assertNonNegative, assertPositive, assertRank, assertSameShape, l2Normalize } from '@contrastive/core';
import { alignmentMean, checkFlag, checkMatrix } from './alignment';
import { uniformityOfRows } from './uniformity';

export interface AlignUniformOptions {
  /** Weight of the alignment term, >= 0. Default 1 (SsnL/align_uniform STL-10 example; spec §7.1). */
  alignWeight?: number;
  /** Weight of the uniformity term, >= 0. Default 1 (STL-10 example; the ImageNet-100 MoCo variant uses 3·A + U(t=3)). */
  uniformWeight?: number;
  /** Alignment exponent alpha, > 0. Default 2 (spec §7.1). */
  alpha?: number;
  /** Uniformity scale t, > 0. Default 2 (spec §7.1). */
  t?: number;
  /** L2-normalise the rows first. Default true (spec §7.1). */
  normalize?: boolean;
}

/** Defaults of {@link alignUniformLoss}. */
export const ALIGN_UNIFORM_DEFAULTS: Readonly<Required<AlignUniformOptions>> = Object.freeze({
  alignWeight: 1,
  uniformWeight: 1,
  alpha: 2,
  t: 2,
  normalize: true,
});

/**
 * Wang & Isola's training loss (spec §7.1, STL-10 example of
 * SsnL/align_uniform examples/stl10/main.py):
 *
 *   L = alignWeight · L_align(z1, z2; alpha) + uniformWeight · (L_uniform(z1; t) + L_uniform(z2; t)) / 2
 *
 * Shapes: z1, z2 [B, d] float32, B >= 2 -> Scalar. A weight of 0 skips its term.
 */
export function alignUniformLoss(z1: Tensor2D, z2: Tensor2D, options: AlignUniformOptions = {}): Scalar {
  const fn = 'alignUniformLoss';
  const o = { ...ALIGN_UNIFORM_DEFAULTS, ...options };
  checkMatrix(fn, 'z1', z1, 2);
  assertRank(fn, 'z2', z2, 2);
  assertSameShape(fn, ['z1', 'z2'], z1, z2);
  assertDtype(fn, 'z2', z2, 'float32');
  assertNonNegative(fn, 'alignWeight', o.alignWeight);
  assertNonNegative(fn, 'uniformWeight', o.uniformWeight);
  assertPositive(fn, 'alpha', o.alpha);
  assertPositive(fn, 't', o.t);
  checkFlag(fn, 'normalize', o.normalize);
  return tf.tidy(() => {
    const u1 = o.normalize ? l2Normalize(z1) : z1;
    const u2 = o.normalize ? l2Normalize(z2) : z2;
    let loss: Scalar = tf.scalar(0);
    if (o.alignWeight > 0) loss = tf.add(loss, tf.mul(alignmentMean(u1, u2, o.alpha), o.alignWeight));
    if (o.uniformWeight > 0) {
      const uniform = tf.add(uniformityOfRows(u1, o.t, o.normalize), uniformityOfRows(u2, o.t, o.normalize));
      loss = tf.add(loss, tf.mul(uniform, o.uniformWeight / 2));
    }
    return loss;
  });
}
