import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { stackViews, viewPairLoss } from './view-pair-contrast';
import { checkBoolean, checkTemperature, checkViews } from './validate';

export interface DclOptions {
  /**
   * Temperature tau, > 0. Default 0.1, the SimCLR code default that
   * {@link ntXentLoss} also uses, so swapping one for the other changes only
   * the denominator (spec §1(b)).
   */
  temperature?: number;
  /** L2-normalise the rows of z1 and z2 first. Default true (as NT-Xent, spec §0.1). */
  normalize?: boolean;
}

/** Defaults of {@link dclLoss}. */
export const DCL_DEFAULTS: Readonly<Required<DclOptions>> = Object.freeze({
  temperature: 0.1,
  normalize: true,
});

/**
 * Decoupled contrastive loss (Yeh et al., ECCV 2022, arXiv 2110.06848):
 * NT-Xent with the positive removed from the denominator (spec §4(a), DCL):
 *
 *   l_i = -s_{i,p(i)}/tau + log sum_{k not in {i, p(i)}} exp(s_ik/tau)
 *   L   = (1/2B) sum_i l_i
 *
 * over the 2B anchors of [z1; z2], negatives from both views (2B - 2 per
 * anchor, one log-sum-exp over all of them, as in the DCL paper).
 *
 * Shapes: z1, z2 [B, d] float32 with B >= 2 (an anchor needs a negative) -> Scalar.
 */
export function dclLoss(z1: Tensor2D, z2: Tensor2D, options: DclOptions = {}): Scalar {
  const fn = 'dclLoss';
  const o = { ...DCL_DEFAULTS, ...options };
  checkViews(fn, ['z1', 'z2'], z1, z2, 2);
  checkTemperature(fn, 'temperature', o.temperature);
  checkBoolean(fn, 'normalize', o.normalize);
  return tf.tidy(() => viewPairLoss(stackViews(z1, z2, o.normalize), o.temperature, true));
}
