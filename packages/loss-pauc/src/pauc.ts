import * as tf from '@tensorflow/tfjs-core';
import type { Scalar } from '@tensorflow/tfjs-core';
import { l2Normalize } from '@contrastive/core';
import { protoNceLoss } from '@contrastive/loss-protonce';
import { checkTermInputs, resolveTermOptions, resolveWeights, type PaucInputs, type PaucOptions } from './options';
import { alignmentOf, correlationOf, levelTermsOf, uniformityOf } from './terms';

/** ProtoNCE and the three unweighted PAUC terms of one step. */
export interface PaucTerms {
  protoNce: Scalar;
  alignment: Scalar;
  uniformity: Scalar;
  correlation: Scalar;
}

/**
 * Every term of {@link paucLoss}, unweighted (for logging). Needs query2 and B >= 2.
 * All four scalars are owned by the caller.
 */
export function paucTerms(inputs: PaucInputs, options: PaucOptions = {}): PaucTerms {
  const fn = 'paucTerms';
  checkTermInputs(fn, inputs, { minRows: 2, query2: true });
  const o = resolveTermOptions(fn, options);
  return tf.tidy(() => {
    const protoNce = protoNceLoss(inputs, options);
    const v1 = o.normalize ? l2Normalize(inputs.query) : inputs.query;
    const v2 = o.normalize ? l2Normalize(inputs.query2!) : inputs.query2!;
    return {
      protoNce,
      alignment: alignmentOf(v1, inputs.clusterings),
      uniformity: uniformityOf(v1, inputs.clusterings, o.uniformityT),
      correlation: correlationOf(v1, v2, inputs.clusterings, fn),
    };
  });
}

/**
 * PAUC loss, as reconstructed from the paper's abstract (Mo, Sun, Li, BMVC
 * 2022, arXiv 2210.10194; spec §3(c) — not the authors' code, which is not public):
 *
 *   L = ProtoNCE + lambda_a · L_align + lambda_u · L_uniform + lambda_c · L_corr
 *
 * with the terms of {@link paucAlignmentTerm}, {@link paucUniformityTerm} and
 * {@link paucCorrelationTerm}, each averaged over the clusterings. A weight
 * of 0 skips its term, so all three 0 gives exactly {@link protoNceLoss}.
 *
 * Shapes: as protoNceLoss, plus query2 [B, d] when lambda_c > 0 -> Scalar.
 */
export function paucLoss(inputs: PaucInputs, options: PaucOptions = {}): Scalar {
  const fn = 'paucLoss';
  const w = resolveWeights(fn, options);
  const o = resolveTermOptions(fn, options);
  const needsPairs = w.uniformity > 0 || w.correlation > 0;
  checkTermInputs(fn, inputs, { minRows: needsPairs ? 2 : 1, query2: w.correlation > 0 });
  return tf.tidy(() => {
    let loss = protoNceLoss(inputs, options);
    if (inputs.clusterings.length === 0) return loss;
    const v1 = o.normalize ? l2Normalize(inputs.query) : inputs.query;
    if (w.alignment > 0) loss = tf.add(loss, tf.mul(alignmentOf(v1, inputs.clusterings), w.alignment));
    if (w.uniformity > 0 || w.correlation > 0) {
      const v2 = w.correlation === 0 ? undefined : o.normalize ? l2Normalize(inputs.query2!) : inputs.query2!;
      const weights = { uniformity: w.uniformity, correlation: w.correlation, t: o.uniformityT };
      loss = tf.add(loss, levelTermsOf(v1, v2, inputs.clusterings, weights, fn));
    }
    return loss;
  });
}
