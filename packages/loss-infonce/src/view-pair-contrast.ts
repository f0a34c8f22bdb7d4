import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { l2Normalize, viewPairContrast } from '@contrastive/core';

/**
 * NT-Xent (decoupled: false) or DCL (true) over the 2B anchors u = [u1; u2]
 * with one temperature: core's fused view-pair op, whose backward is the
 * closed form ((P + P^T) u - 2 u_p) / (2B tau). Shapes: u [2B, d] -> Scalar.
 */
export function viewPairLoss(u: Tensor2D, temperature: number, decoupled: boolean): Scalar {
  return viewPairContrast(u, { inverseTemperature: 1 / temperature, maxInverseTemperature: 1 / temperature, decoupled });
}

/** [z1; z2], rows normalised when asked: the 2B anchors of NT-Xent and DCL (inside a tidy). */
export function stackViews(z1: Tensor2D, z2: Tensor2D, normalize: boolean): Tensor2D {
  const u = tf.concat([z1, z2], 0) as Tensor2D;
  return normalize ? l2Normalize(u) : u;
}
