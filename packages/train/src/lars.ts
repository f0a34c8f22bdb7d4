/**
 * LARS (You et al. 2017, arXiv:1708.03888) exactly as SimCLR implements it
 * (google-research/simclr `lars_optimizer.py`, `classic_momentum=True`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertInRange, assertNonNegative, assertPositive } from '@contrastive/core';
import { createOptimizerCore, type TrainOptimizer } from './optimizer';
import { excludedMask, type ExclusionRule, type VariableLike } from './variables';

/** Options of {@link createLars}. */
export interface LarsOptions {
  /** Base learning rate. Required: SimCLR 0.3·B/256 (linear) or 0.075·sqrt(B); CIFAR README 1.0. */
  learningRate: number;
  /** Momentum, in [0, 1). Default 0.9 (SimCLR). */
  momentum?: number;
  /** Nesterov momentum. Default false (SimCLR). */
  nesterov?: boolean;
  /** Weight decay added to the gradient, >= 0. Default 1e-6 (SimCLR paper; the code default is 1e-4). */
  weightDecay?: number;
  /** Trust coefficient eta. Default 0.001 (SimCLR `eeta`). */
  trustCoefficient?: number;
  /**
   * Variables without weight decay. Default `'rank<=1'`: BN gamma/beta and biases,
   * SimCLR's `['batch_normalization', 'bias']` (use {@link SIMCLR_EXCLUDE_PATTERN} to match by name).
   */
  excludeFromDecay?: ExclusionRule;
  /** Variables without trust-ratio adaptation. Default: the same rule as `excludeFromDecay` (SimCLR). */
  excludeFromAdaptation?: ExclusionRule;
}

/** Defaults of {@link createLars} (SimCLR `lars_optimizer.py` and paper). */
export const LARS_DEFAULTS = Object.freeze({
  momentum: 0.9,
  nesterov: false,
  weightDecay: 1e-6,
  trustCoefficient: 0.001,
  excludeFromDecay: 'rank<=1' as const,
});

/**
 * Creates LARS over `variables`.
 *
 * **Math** (SimCLR): g' = g + lambda·w (unless excluded);
 * trust = eta·||w|| / ||g'|| if ||w|| > 0 and ||g'|| > 0, else 1 (and 1 when excluded from adaptation);
 * v = mu·v + lr·trust·g'; update = nesterov ? mu·v + lr·trust·g' : v; w ← w − update.
 * Note the learning rate sits inside the momentum buffer (TensorFlow style).
 */
export function createLars(variables: readonly VariableLike[], options: LarsOptions): TrainOptimizer {
  const fn = 'createLars';
  const o = { ...LARS_DEFAULTS, ...options };
  assertInRange(fn, 'momentum', o.momentum, { min: 0, max: 1, maxExclusive: true });
  assertNonNegative(fn, 'weightDecay', o.weightDecay);
  assertPositive(fn, 'trustCoefficient', o.trustCoefficient);
  let noDecay: boolean[] = [];
  let noAdapt: boolean[] = [];
  const optimizer = createOptimizerCore({
    fn,
    kind: 'lars',
    variables,
    learningRate: options.learningRate,
    slotNames: ['momentum'],
    rule: ({ index, param, grad, slots, lr }) => {
      const g = noDecay[index] || o.weightDecay === 0 ? grad : tf.add(grad, tf.mul(param, o.weightDecay));
      let scaledLr: tf.Tensor = tf.scalar(lr);
      if (!noAdapt[index]) {
        const wNorm = tf.norm(param);
        const gNorm = tf.norm(g);
        const ratio = tf.div(tf.mul(wNorm, o.trustCoefficient), tf.maximum(gNorm, 1e-30));
        const one = tf.onesLike(ratio);
        const trust = tf.where(tf.greater(wNorm, 0), tf.where(tf.greater(gNorm, 0), ratio, one), one);
        scaledLr = tf.mul(scaledLr, trust);
      }
      const step = tf.mul(g, scaledLr);
      const v = tf.add(tf.mul(slots['momentum']!, o.momentum), step);
      const update = o.nesterov ? tf.add(tf.mul(v, o.momentum), step) : v;
      return { param: tf.sub(param, update), slots: { momentum: v } };
    },
  });
  noDecay = excludedMask(fn, 'excludeFromDecay', o.excludeFromDecay, optimizer.variables);
  noAdapt = excludedMask(fn, 'excludeFromAdaptation', options.excludeFromAdaptation ?? o.excludeFromDecay, optimizer.variables);
  return optimizer;
}
