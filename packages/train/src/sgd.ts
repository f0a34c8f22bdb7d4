/**
 * SGD with momentum, Nesterov momentum and coupled or decoupled weight decay,
 * with PyTorch `torch.optim.SGD` semantics (tfjs' `MomentumOptimizer` has no
 * weight decay, no dampening and a different Nesterov form).
 */
import * as tf from '@tensorflow/tfjs-core';
import { argumentError, assertInRange, assertNonNegative } from '@contrastive/core';
import { createOptimizerCore, type TrainOptimizer } from './optimizer';
import { excludedMask, type ExclusionRule, type VariableLike } from './variables';

/** Options of {@link createSgd}. */
export interface SgdOptions {
  /** Learning rate. Required (no default): MoCo 0.03 per 256, MoCo CIFAR demo 0.06 at batch 512. */
  learningRate: number;
  /** Momentum mu, in [0, 1). Default 0.9 (MoCo, PCL, SiMo, CACR). 0 disables the buffer. */
  momentum?: number;
  /** Dampening, in [0, 1]. Default 0 (PyTorch default). */
  dampening?: number;
  /** Nesterov momentum: update = g + mu·buf. Default false (MoCo). Needs momentum > 0 and dampening 0. */
  nesterov?: boolean;
  /** Weight decay lambda, >= 0. Default 0 (PyTorch); MoCo 1e-4, MoCo CIFAR demo 5e-4. */
  weightDecay?: number;
  /**
   * `'coupled'` (PyTorch SGD, L2 penalty: g += lambda·p, then momentum) or
   * `'decoupled'` (SGDW / AdamW style: p ← p·(1 − lr·lambda), outside momentum). Default `'coupled'`.
   */
  decay?: 'coupled' | 'decoupled';
  /** Variables that get no weight decay. Default `'none'` (PyTorch applies it to every parameter). */
  excludeFromDecay?: ExclusionRule;
}

/** Defaults of {@link createSgd} (PyTorch `torch.optim.SGD`, momentum from MoCo). */
export const SGD_DEFAULTS = Object.freeze({
  momentum: 0.9,
  dampening: 0,
  nesterov: false,
  weightDecay: 0,
  decay: 'coupled' as const,
  excludeFromDecay: 'none' as const,
});

/**
 * Creates SGD over `variables` (tf.Variables or `model.trainableWeights`).
 *
 * **Math** (PyTorch): d = g + lambda·p (coupled); buf = d on the first step, else
 * buf = mu·buf + (1 − dampening)·d; d = nesterov ? d + mu·buf : buf; p ← p − lr·d.
 * Decoupled: d = g and p ← p − lr·lambda·p − lr·d.
 */
export function createSgd(variables: readonly VariableLike[], options: SgdOptions): TrainOptimizer {
  const fn = 'createSgd';
  const o = { ...SGD_DEFAULTS, ...options };
  assertInRange(fn, 'momentum', o.momentum, { min: 0, max: 1, maxExclusive: true });
  assertInRange(fn, 'dampening', o.dampening, { min: 0, max: 1 });
  assertNonNegative(fn, 'weightDecay', o.weightDecay);
  if (o.decay !== 'coupled' && o.decay !== 'decoupled') {
    throw argumentError('INVALID_ARGUMENT', fn, 'decay', "'coupled' or 'decoupled'", String(o.decay));
  }
  if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
    throw argumentError('INVALID_ARGUMENT', fn, 'nesterov', 'used with momentum > 0 and dampening 0', `momentum ${o.momentum}, dampening ${o.dampening}`);
  }
  const useMomentum = o.momentum > 0;
  let excluded: boolean[] = [];
  const optimizer = createOptimizerCore({
    fn,
    kind: 'sgd',
    variables,
    learningRate: options.learningRate,
    slotNames: useMomentum ? ['momentum'] : [],
    rule: ({ index, param, grad, slots, step, lr }) => {
      const wd = excluded[index] ? 0 : o.weightDecay;
      let d = wd > 0 && o.decay === 'coupled' ? tf.add(grad, tf.mul(param, wd)) : grad;
      const newSlots: Record<string, tf.Tensor> = {};
      if (useMomentum) {
        const buf = step === 1 ? tf.clone(d) : tf.add(tf.mul(slots['momentum']!, o.momentum), tf.mul(d, 1 - o.dampening));
        newSlots['momentum'] = buf;
        d = o.nesterov ? tf.add(d, tf.mul(buf, o.momentum)) : buf;
      }
      const base = wd > 0 && o.decay === 'decoupled' ? tf.mul(param, 1 - lr * wd) : param;
      return { param: tf.sub(base, tf.mul(d, lr)), slots: newSlots };
    },
  });
  excluded = excludedMask(fn, 'excludeFromDecay', o.excludeFromDecay, optimizer.variables);
  return optimizer;
}
