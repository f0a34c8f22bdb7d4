/**
 * AdamW (Loshchilov & Hutter, arXiv:1711.05101) with PyTorch `torch.optim.AdamW`
 * semantics: decoupled decay p ← p·(1 − lr·lambda), bias-corrected moments,
 * eps added after the bias-corrected square root. (tfjs has Adam but no
 * decoupled weight decay.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertInRange, assertNonNegative, assertPositive } from '@contrastive/core';
import { createOptimizerCore, type TrainOptimizer } from './optimizer';
import { excludedMask, type ExclusionRule, type VariableLike } from './variables';

/** Options of {@link createAdamW}. */
export interface AdamWOptions {
  /** Learning rate. Default 1e-3 (PyTorch); MoCo v3 ViT-B uses 1.5e-4 per 256. */
  learningRate?: number;
  /** beta1, in [0, 1). Default 0.9 (PyTorch). */
  beta1?: number;
  /** beta2, in [0, 1). Default 0.999 (PyTorch). */
  beta2?: number;
  /** epsilon, > 0. Default 1e-8 (PyTorch). */
  epsilon?: number;
  /** Decoupled weight decay lambda. Default 0.01 (PyTorch); MoCo v3 ViT 0.1. */
  weightDecay?: number;
  /** Variables without weight decay. Default `'none'` (PyTorch). */
  excludeFromDecay?: ExclusionRule;
}

/** Defaults of {@link createAdamW} (PyTorch `torch.optim.AdamW`). */
export const ADAMW_DEFAULTS = Object.freeze({
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0.01,
  excludeFromDecay: 'none' as const,
});

/**
 * Creates AdamW over `variables`.
 *
 * **Math** (PyTorch, step t from 1): p ← p·(1 − lr·lambda); m = b1·m + (1 − b1)·g;
 * v = b2·v + (1 − b2)·g²; p ← p − (lr / (1 − b1^t)) · m / (sqrt(v) / sqrt(1 − b2^t) + eps).
 */
export function createAdamW(variables: readonly VariableLike[], options: AdamWOptions = {}): TrainOptimizer {
  const fn = 'createAdamW';
  const o = { ...ADAMW_DEFAULTS, ...options };
  assertInRange(fn, 'beta1', o.beta1, { min: 0, max: 1, maxExclusive: true });
  assertInRange(fn, 'beta2', o.beta2, { min: 0, max: 1, maxExclusive: true });
  assertPositive(fn, 'epsilon', o.epsilon);
  assertNonNegative(fn, 'weightDecay', o.weightDecay);
  let excluded: boolean[] = [];
  const optimizer = createOptimizerCore({
    fn,
    kind: 'adamw',
    variables,
    learningRate: o.learningRate,
    slotNames: ['m', 'v'],
    rule: ({ index, param, grad, slots, step, lr }) => {
      const wd = excluded[index] ? 0 : o.weightDecay;
      const decayed = wd > 0 ? tf.mul(param, 1 - lr * wd) : param;
      const m = tf.add(tf.mul(slots['m']!, o.beta1), tf.mul(grad, 1 - o.beta1));
      const v = tf.add(tf.mul(slots['v']!, o.beta2), tf.mul(tf.square(grad), 1 - o.beta2));
      const stepSize = lr / (1 - Math.pow(o.beta1, step));
      const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - Math.pow(o.beta2, step))), o.epsilon);
      return { param: tf.sub(decayed, tf.mul(tf.div(m, denom), stepSize)), slots: { m, v } };
    },
  });
  excluded = excludedMask(fn, 'excludeFromDecay', o.excludeFromDecay, optimizer.variables);
  return optimizer;
}
