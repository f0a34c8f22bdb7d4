import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { assertOneOf } from '@contrastive/core';
import { maskLogits } from './log-sum-exp';
import { stackViews, viewPairLoss } from './view-pair-contrast';
import { viewPairLabels, viewPairMask } from './masks';
import { checkBoolean, checkTemperature, checkViews } from './validate';

/** How the 2B per-anchor losses are reduced. */
export type NtXentReduction = 'mean' | 'simclr-code';

/** Reductions accepted by {@link ntXentLoss}. */
export const NT_XENT_REDUCTIONS: readonly NtXentReduction[] = Object.freeze(['mean', 'simclr-code'] as const);

export interface NtXentOptions {
  /**
   * Softmax temperature tau, > 0. Default 0.1: google-research/simclr run.py
   * `--temperature` default (the paper's best at large batch); the CIFAR
   * README command uses 0.5 (spec §1(b)).
   */
  temperature?: number;
  /**
   * L2-normalise the rows of z1 and z2 first (x / sqrt(max(|x|^2, 1e-12))).
   * Default true: SimCLR normalises the projection output before dividing by
   * tau (objective.py; spec §1(e)). Set false for embeddings already on the sphere.
   */
  normalize?: boolean;
  /**
   * 'mean' (default): the paper's L = (1/2B) sum over the 2B anchors
   * (SimCLR paper, spec §1(a)). 'simclr-code': the official TF code's
   * CE_a + CE_b, exactly 2x the paper's value (objective.py; spec §1(a)).
   */
  reduction?: NtXentReduction;
}

/** Defaults of {@link ntXentLoss} and {@link ntXentLogits}. */
export const NT_XENT_DEFAULTS: Readonly<Required<NtXentOptions>> = Object.freeze({
  temperature: 0.1,
  normalize: true,
  reduction: 'mean',
});

function resolve(fn: string, z1: Tensor2D, z2: Tensor2D, options: NtXentOptions): Required<NtXentOptions> {
  const o = { ...NT_XENT_DEFAULTS, ...options };
  checkViews(fn, ['z1', 'z2'], z1, z2);
  checkTemperature(fn, 'temperature', o.temperature);
  checkBoolean(fn, 'normalize', o.normalize);
  assertOneOf(fn, 'reduction', o.reduction, NT_XENT_REDUCTIONS);
  return o;
}

/** The 2B x 2B similarity logits of [u1; u2] / tau with the diagonal masked (inside a tidy). */
function viewPairLogits(z1: Tensor2D, z2: Tensor2D, temperature: number, normalize: boolean): Tensor2D {
  const u = stackViews(z1, z2, normalize);
  const mask = viewPairMask(z1.shape[0], false);
  return maskLogits(tf.matMul(tf.mul(u, 1 / temperature), u, false, true) as Tensor2D, mask);
}

/**
 * NT-Xent logits and targets (SimCLR, spec §1(a) "as logits").
 *
 * Row i of logits holds s_ik / tau for the 2B views [z1; z2] (k over all
 * 2B columns); the self-similarity (i, i) is masked with a finite value far
 * below every logit (spec §0.3), so softmax cross-entropy of each row
 * against `labels[i] = (i + B) mod 2B` is l_i.
 *
 * Shapes: z1, z2 [B, d] float32 (row b of both is the same image) ->
 * logits [2B, 2B] float32, labels [2B] int32. Both owned by the caller.
 */
export function ntXentLogits(
  z1: Tensor2D,
  z2: Tensor2D,
  options: NtXentOptions = {},
): { logits: Tensor2D; labels: Tensor1D } {
  const o = resolve('ntXentLogits', z1, z2, options);
  const batch = z1.shape[0];
  return tf.tidy(() => {
    const logits = viewPairLogits(z1, z2, o.temperature, o.normalize);
    return { logits, labels: tf.tensor1d(viewPairLabels(batch), 'int32') };
  });
}

/**
 * NT-Xent (normalised temperature-scaled cross-entropy), SimCLR
 * (Chen et al., arXiv 2002.05709; spec §1(a)):
 *
 *   l_i = -log( exp(s_{i,p(i)}/tau) / sum_{k != i} exp(s_ik/tau) ),  p(i) = i + B mod 2B
 *   L   = (1/2B) sum_i l_i            ('mean'; 'simclr-code' returns 2L)
 *
 * Shapes: z1, z2 [B, d] float32, B >= 1 -> Scalar. Both views receive
 * gradient. Inputs are borrowed; the result is owned by the caller.
 *
 * @example
 * const loss = ntXentLoss(projector.apply(view1), projector.apply(view2), { temperature: 0.5 });
 */
export function ntXentLoss(z1: Tensor2D, z2: Tensor2D, options: NtXentOptions = {}): Scalar {
  const o = resolve('ntXentLoss', z1, z2, options);
  return tf.tidy(() => {
    const loss = viewPairLoss(stackViews(z1, z2, o.normalize), o.temperature, false);
    return (o.reduction === 'simclr-code' ? tf.mul(loss, 2) : loss) as Scalar;
  });
}
