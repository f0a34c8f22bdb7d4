import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { l2Normalize } from '@contrastive/core';
import { alignmentLoss } from '@contrastive/loss-align-uniform';
import type { Clustering } from '@contrastive/loss-protonce';
import { constantRows } from './constant';
import { batchPrototypeIds, checkTermInputs, resolveTermOptions, type PaucInputs, type PaucTermOptions } from './options';
import { prototypeLevelTerms, type LevelWeights } from './prototype-level';

type TermInputs = Pick<PaucInputs, 'query' | 'query2' | 'clusterings'>;

/** Mean of per-clustering scalars (0 without clusterings). */
function meanOver(clusterings: readonly Clustering[], term: (c: Clustering) => Scalar): Scalar {
  if (clusterings.length === 0) return tf.scalar(0);
  return tf.div(tf.addN(clusterings.map(term)), clusterings.length) as Scalar;
}

/** Per clustering: mean_i ||v_i - sg(c_{s(i)})||^2. Caller runs it in a tidy. */
export function alignmentOf(v: Tensor2D, clusterings: readonly Clustering[]): Scalar {
  return meanOver(clusterings, (c) => alignmentLoss(v, constantRows(c.prototypes, c.assignment), { alpha: 2, normalize: false }));
}

/** Per clustering: Wang-Isola uniformity (t) of p_i = softmax(v_i C^T / phi). */
export function uniformityOf(v: Tensor2D, clusterings: readonly Clustering[], t: number): Scalar {
  const none = new Int32Array(0);
  return meanOver(clusterings, (c) => prototypeLevelTerms(v, undefined, c, none, { uniformity: 1, correlation: 0, t }));
}

/** Per clustering: Barlow-Twins loss of the two views' p restricted to the batch's prototypes. */
export function correlationOf(v1: Tensor2D, v2: Tensor2D, clusterings: readonly Clustering[], fn: string): Scalar {
  return meanOver(clusterings, (c) => prototypeLevelTerms(v1, v2, c, batchPrototypeIds(fn, c), { uniformity: 0, correlation: 1, t: 1 }));
}

/**
 * lambda_u · uniformity + lambda_c · correlation averaged over the
 * clusterings, both terms of a clustering in one op (they share p1 = softmax(v1 C^T / phi)).
 */
export function levelTermsOf(v1: Tensor2D, v2: Tensor2D | undefined, clusterings: readonly Clustering[], w: LevelWeights, fn: string): Scalar {
  const none = new Int32Array(0);
  return meanOver(clusterings, (c) => prototypeLevelTerms(v1, v2, c, w.correlation > 0 ? batchPrototypeIds(fn, c) : none, w));
}

/**
 * PAUC alignment term (reconstruction, spec §3(c)):
 * (1/M) sum_m mean_i || v_i - sg(c^m_{s(i)}) ||^2, Wang-Isola alignment with
 * the assigned prototype as the positive. Shapes: query [B, d] -> Scalar.
 */
export function paucAlignmentTerm(inputs: TermInputs, options: PaucTermOptions = {}): Scalar {
  const fn = 'paucAlignmentTerm';
  checkTermInputs(fn, inputs, { minRows: 1, query2: false });
  const o = resolveTermOptions(fn, options);
  return tf.tidy(() => alignmentOf(o.normalize ? l2Normalize(inputs.query) : inputs.query, inputs.clusterings));
}

/**
 * PAUC uniformity term (reconstruction, spec §3(c)):
 * (1/M) sum_m log mean_{i<j} exp(-t || p^m_i - p^m_j ||^2), p^m_i =
 * softmax(v_i C^m^T / phi^m) over all k_m prototypes. Shapes: query [B >= 2, d] -> Scalar.
 */
export function paucUniformityTerm(inputs: TermInputs, options: PaucTermOptions = {}): Scalar {
  const fn = 'paucUniformityTerm';
  checkTermInputs(fn, inputs, { minRows: 2, query2: false });
  const o = resolveTermOptions(fn, options);
  return tf.tidy(() => uniformityOf(o.normalize ? l2Normalize(inputs.query) : inputs.query, inputs.clusterings, o.uniformityT));
}

/**
 * PAUC correlation term (reconstruction, spec §3(c)), Barlow-Twins form
 * (Zbontar et al. 2021) on the prototype-level features of the two views,
 * restricted to the P distinct prototypes assigned in the batch: columns
 * standardised over the batch, R = Z1^T Z2 / B [P, P],
 * corr = sum_j (1 - R_jj)^2 + (1/P) sum_{j != l} R_jl^2; mean over clusterings.
 * Shapes: query, query2 [B >= 2, d] -> Scalar.
 */
export function paucCorrelationTerm(inputs: TermInputs, options: PaucTermOptions = {}): Scalar {
  const fn = 'paucCorrelationTerm';
  checkTermInputs(fn, inputs, { minRows: 2, query2: true });
  const o = resolveTermOptions(fn, options);
  return tf.tidy(() => {
    const q2 = inputs.query2!;
    const v1 = o.normalize ? l2Normalize(inputs.query) : inputs.query;
    const v2 = o.normalize ? l2Normalize(q2) : q2;
    return correlationOf(v1, v2, inputs.clusterings, fn);
  });
}
