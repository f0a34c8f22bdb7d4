import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { l2Normalize, logSumExpLastAxis, offDiagonal, similarity, swapHalves, viewPairContrast } from '@contrastive/core';
import { checkViews } from './check-views';
import { fusedOptions } from './fused-options';
import { stackViews } from './stack-views';
import {
  DYSTRESS_TEMPERATURE_DEFAULTS,
  resolveTemperatureOptions,
  type DystressTemperatureOptions,
} from './dystress-temperature';
import { scaledByTemperature } from './pair-logits';

/** Options of {@link dystressLoss} and {@link dystressDclLoss}. */
export interface DystressLossOptions extends DystressTemperatureOptions {
  /** L2-normalise each row before the similarities (spec §0.1). Default true. */
  normalize?: boolean;
  /**
   * Compute the temperatures on stop-gradient similarities, tau(sg(s)), so
   * that each logit's gradient with respect to s is 1/tau(s). Default true:
   * both official NT-Xent code paths use `sim.detach()` (spec §4(a), §4(e)).
   * `false` lets the gradient flow through tau as well (the ImageNet
   * ts_dcl_loss.py calls get_temp without detach).
   */
  detachTemperature?: boolean;
}

/** Defaults of {@link dystressLoss} (spec §4(a), §4(b)). */
export const DYSTRESS_LOSS_DEFAULTS: Readonly<Required<DystressLossOptions>> = Object.freeze({
  ...DYSTRESS_TEMPERATURE_DEFAULTS,
  normalize: true,
  detachTemperature: true,
});

/**
 * DySTreSS loss: NT-Xent (SimCLR) with a per-pair temperature tau(s_ik) from
 * {@link dystressTemperature} (Manna et al., arXiv 2308.01140; spec §4(a)).
 *
 * Math: with u the 2B normalised rows [z1; z2], p(i) = i + B mod 2B,
 * l_i = -s_{i,p(i)}/tau(sg(s_{i,p(i)})) + logsumexp_{k != i} s_ik/tau(sg(s_ik));
 * L = mean over the 2B anchors (paper reduction).
 *
 * Inputs: `z1`, `z2` float32 [B, d], row i of each a view of image i (B >= 1).
 * Output: Scalar. Self-similarities are removed exactly (no mask value).
 * Reference code: sadimanna/DySTreSS smallscale/main.py, imagenet/ts_ntx_ent_loss.py.
 */
export function dystressLoss(z1: Tensor2D, z2: Tensor2D, options: DystressLossOptions = {}): Scalar {
  const fn = 'dystressLoss';
  checkViews(fn, z1, z2);
  const o = { ...DYSTRESS_LOSS_DEFAULTS, ...options };
  const t = resolveTemperatureOptions(fn, o);
  const b = z1.shape[0];
  return tf.tidy(() => {
    const raw = stackViews(z1, z2);
    const u = (o.normalize ? l2Normalize(raw) : raw) as Tensor2D;
    if (o.detachTemperature) {
      // tau(sg(s)): core's fused op evaluates the temperature inside its forward pass.
      return viewPairContrast(u, fusedOptions(t, o.normalize, false));
    }
    const partner = swapHalves(u);
    const sim = similarity(u, u);
    const logits = offDiagonal(scaledByTemperature(sim, t, o.detachTemperature));
    const positive = scaledByTemperature(tf.sum(tf.mul(u, partner), 1), t, o.detachTemperature);
    return tf.mean(tf.sub(tf.reshape(logSumExpLastAxis(logits), [2 * b]), positive)) as Scalar;
  });
}
