import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError, describeShape, l2Normalize, logSumExpLastAxis, offDiagonal, similarity, viewPairContrast } from '@contrastive/core';
import { checkViews } from './check-views';
import { resolveTemperatureOptions, type DystressTemperatureOptions } from './dystress-temperature';
import { DYSTRESS_LOSS_DEFAULTS, type DystressLossOptions } from './dystress-loss';
import { fusedOptions } from './fused-options';
import { scaledByTemperature } from './pair-logits';
import { stackViews } from './stack-views';

/** Defaults of {@link dystressDclLoss}: those of {@link dystressLoss} (ImageNet code uses tauMin 0.1). */
export const DYSTRESS_DCL_LOSS_DEFAULTS: Readonly<Required<DystressLossOptions>> = DYSTRESS_LOSS_DEFAULTS;

function oneDirection(
  a: Tensor,
  b: Tensor,
  t: Required<DystressTemperatureOptions>,
  detach: boolean,
): Tensor {
  const positive = scaledByTemperature(tf.sum(tf.mul(a, b), 1), t, detach);
  const intra = offDiagonal(scaledByTemperature(similarity(a, a), t, detach));
  const cross = offDiagonal(scaledByTemperature(similarity(a, b), t, detach));
  const negatives = tf.reshape(tf.add(logSumExpLastAxis(intra), logSumExpLastAxis(cross)), positive.shape);
  return tf.mean(tf.sub(negatives, positive));
}

/**
 * DySTreSS with the decoupled contrastive loss (TSDCL; spec §4(a) "DCL
 * variant"): the positive is removed from the denominator.
 *
 * Math, per anchor i of view a against view b:
 * -s_ii^ab/tau + logsumexp_{j != i} s_ij^aa/tau + logsumexp_{j != i} s_ij^ab/tau,
 * each s divided by its own tau(sg(s)); L = 0.5 (mean_i(a=z1) + mean_i(a=z2)).
 * The two logsumexps are added separately, as in imagenet/ts_dcl_loss.py.
 *
 * Inputs: `z1`, `z2` float32 [B, d] with B >= 2 (each anchor needs a
 * negative of each kind). Output: Scalar.
 */
export function dystressDclLoss(z1: Tensor2D, z2: Tensor2D, options: DystressLossOptions = {}): Scalar {
  const fn = 'dystressDclLoss';
  checkViews(fn, z1, z2);
  if (z1.shape[0] < 2) {
    throw argumentError('SHAPE_MISMATCH', fn, 'z1', 'of at least 2 rows', describeShape(z1.shape));
  }
  const o = { ...DYSTRESS_DCL_LOSS_DEFAULTS, ...options };
  const t = resolveTemperatureOptions(fn, o);
  return tf.tidy(() => {
    if (o.detachTemperature) {
      // tau(sg(s)): core's fused op over [u1; u2], the positive out of the
      // denominator, the intra- and cross-view log-sum-exps of each anchor apart.
      const raw = stackViews(z1, z2);
      const u = (o.normalize ? l2Normalize(raw) : raw) as Tensor2D;
      return viewPairContrast(u, fusedOptions(t, o.normalize, true));
    }
    const u1 = o.normalize ? l2Normalize(z1) : z1;
    const u2 = o.normalize ? l2Normalize(z2) : z2;
    const sum = tf.add(oneDirection(u1, u2, t, false), oneDirection(u2, u1, t, false));
    return tf.mul(sum, 0.5) as Scalar;
  });
}
