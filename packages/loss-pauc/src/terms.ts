import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { l2Normalize, stopGradient } from '@contrastive/core';
import { alignmentLoss, uniformityLoss } from '@contrastive/loss-align-uniform';
import { logSumExpRows } from '@contrastive/loss-infonce';
import type { Clustering } from '@contrastive/loss-protonce';
import {
  batchPrototypeIds,
  checkTermInputs,
  PAUC_CORRELATION_EPSILON,
  resolveTermOptions,
  type PaucInputs,
  type PaucTermOptions,
} from './options';

type TermInputs = Pick<PaucInputs, 'query' | 'query2' | 'clusterings'>;

/** C / phi row-wise, under stop-gradient: the prototype-level logit weights of §3(c). */
function scaledPrototypes(c: Clustering): Tensor2D {
  return stopGradient(tf.div(c.prototypes, tf.expandDims(c.concentration, 1))) as Tensor2D;
}

/** Mean of per-clustering scalars (0 without clusterings). */
function meanOver(clusterings: readonly Clustering[], term: (c: Clustering) => Scalar): Scalar {
  if (clusterings.length === 0) return tf.scalar(0);
  return tf.div(tf.addN(clusterings.map(term)), clusterings.length) as Scalar;
}

/** Per clustering: mean_i ||v_i - sg(c_{s(i)})||^2. Caller runs it in a tidy. */
export function alignmentOf(v: Tensor2D, clusterings: readonly Clustering[]): Scalar {
  return meanOver(clusterings, (c) => {
    const assigned = stopGradient(tf.gather(c.prototypes, tf.tensor1d(c.assignment, 'int32'))) as Tensor2D;
    return alignmentLoss(v, assigned, { alpha: 2, normalize: false });
  });
}

/** Per clustering: Wang-Isola uniformity (t) of p_i = softmax(v_i C^T / phi). */
export function uniformityOf(v: Tensor2D, clusterings: readonly Clustering[], t: number): Scalar {
  return meanOver(clusterings, (c) => {
    const p = tf.softmax(tf.matMul(v, scaledPrototypes(c), false, true)) as Tensor2D;
    return uniformityLoss(p, { t, normalize: false });
  });
}

/**
 * p restricted to the columns `ids`: exp(a[:, ids] - logsumexp(a)), where a =
 * v C^T / phi over all k prototypes. Only constants are gathered, so the
 * gradient path has no gather.
 */
function assignmentColumns(v: Tensor2D, scaled: Tensor2D, ids: Tensor1D): Tensor2D {
  const lse = logSumExpRows(tf.matMul(v, scaled, false, true) as Tensor2D);
  const selected = tf.matMul(v, tf.gather(scaled, ids), false, true);
  return tf.exp(tf.sub(selected, tf.expandDims(lse, 1))) as Tensor2D;
}

/** Columns standardised over the batch: (x - mean) / sqrt(var + eps), biased variance. */
function standardize(x: Tensor2D): Tensor2D {
  const { mean, variance } = tf.moments(x, 0, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, PAUC_CORRELATION_EPSILON))) as Tensor2D;
}

/** Per clustering: Barlow-Twins loss of the two views' p restricted to the batch's prototypes. */
export function correlationOf(v1: Tensor2D, v2: Tensor2D, clusterings: readonly Clustering[], fn: string): Scalar {
  const batch = v1.shape[0];
  return meanOver(clusterings, (c) => {
    const idArray = batchPrototypeIds(fn, c);
    const ids = tf.tensor1d(idArray, 'int32');
    const scaled = scaledPrototypes(c);
    const z1 = standardize(assignmentColumns(v1, scaled, ids));
    const z2 = standardize(assignmentColumns(v2, scaled, ids));
    const r = tf.div(tf.matMul(z1, z2, true, false), batch) as Tensor2D;
    const columns = idArray.length;
    const eye = tf.eye(columns);
    const onDiagonal = tf.sum(tf.square(tf.mul(tf.sub(1, r), eye)));
    const offDiagonal = tf.sum(tf.square(tf.mul(r, tf.sub(1, eye))));
    return tf.add(onDiagonal, tf.mul(offDiagonal, 1 / columns)) as Scalar;
  });
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
