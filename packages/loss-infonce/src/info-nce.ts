import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { assertSameShape, l2Normalize, similarity, similarityToConstant, stopGradient } from '@contrastive/core';
import { logSumExpWithFirst } from './log-sum-exp';
import { checkBoolean, checkEmbeddings, checkSameDim, checkTemperature } from './validate';

export interface InfoNceOptions {
  /**
   * Temperature tau, > 0. Default 0.2: MoCo v2 (main_moco.py `--moco-t 0.2`
   * with `--mlp --aug-plus --cos`, spec §1(b)); MoCo v1 uses 0.07, the MoCo
   * CIFAR-10 demo 0.1, PCL 0.2.
   */
  temperature?: number;
  /**
   * L2-normalise the rows of query, key and negatives first. Default true:
   * MoCo normalises q and k in the model, and its queue holds normalised keys
   * (builder.py; spec §1(a)). Set false when they are already unit vectors.
   */
  normalize?: boolean;
  /**
   * Hold the key under stop-gradient. Default true: MoCo keys come from the
   * momentum encoder under no_grad (builder.py; spec §1(e)). Set false for a
   * symmetric in-batch use where the key branch should also learn.
   */
  stopGradientKey?: boolean;
  /**
   * Hold the negatives under stop-gradient. Default true: queue entries are
   * constants, cloned and detached before the matmul (builder.py; spec §0.4).
   */
  stopGradientNegatives?: boolean;
}

/** Defaults of {@link infoNceLoss}. */
export const INFO_NCE_DEFAULTS: Readonly<Required<InfoNceOptions>> = Object.freeze({
  temperature: 0.2,
  normalize: true,
  stopGradientKey: true,
  stopGradientNegatives: true,
});

/** Resolves and checks the options and shapes of an InfoNCE call. */
function resolveInfoNce(
  fn: string,
  query: Tensor2D,
  key: Tensor2D,
  negatives: Tensor2D,
  options: InfoNceOptions,
): Required<InfoNceOptions> {
  const o = { ...INFO_NCE_DEFAULTS, ...options };
  checkEmbeddings(fn, 'query', query);
  checkEmbeddings(fn, 'key', key);
  assertSameShape(fn, ['query', 'key'], query, key);
  checkSameDim(fn, 'negatives', negatives, query.shape[1]);
  checkTemperature(fn, 'temperature', o.temperature);
  checkBoolean(fn, 'normalize', o.normalize);
  checkBoolean(fn, 'stopGradientKey', o.stopGradientKey);
  checkBoolean(fn, 'stopGradientNegatives', o.stopGradientNegatives);
  return o;
}

/**
 * Per-row InfoNCE losses l_i = lse([q_i.k_i, q_i.n_1..n_K] / tau) - q_i.k_i / tau.
 * The positive logit is column 0 (spec §1(e)); the [B, 1 + K] logit matrix is
 * never built: the positive enters the log-sum-exp as a separate term.
 * Caller runs it in a tidy with already-checked inputs.
 */
function infoNceRows(
  query: Tensor2D,
  key: Tensor2D,
  negatives: Tensor2D,
  o: Required<InfoNceOptions>,
): Tensor1D {
  let q: Tensor2D = o.normalize ? l2Normalize(query) : query;
  let k = o.normalize ? l2Normalize(key) : key;
  const n = o.normalize ? l2Normalize(negatives) : negatives;
  if (o.stopGradientKey) k = stopGradient(k);
  // Scale the [B, d] query once instead of the [B, K] logits.
  q = tf.mul(q, 1 / o.temperature) as Tensor2D;
  const positive = tf.sum(tf.mul(q, k), 1) as Tensor1D;
  // Detached negatives: the product's gradient goes to the query only.
  const negativeLogits = (o.stopGradientNegatives ? similarityToConstant(q, n) : similarity(q, n)) as Tensor2D;
  return tf.sub(logSumExpWithFirst(positive, negativeLogits), positive);
}

/**
 * MoCo InfoNCE with explicit negatives (He et al., arXiv 1911.05722; MoCo v2
 * arXiv 2003.04297; spec §1(a)):
 *
 *   l_i = -log( exp(q_i.k_i/tau) / (exp(q_i.k_i/tau) + sum_j exp(q_i.n_j/tau)) ),  L = mean_i l_i
 *
 * i.e. cross-entropy of the logits [q.k | q.N^T] / tau with target column 0.
 *
 * Shapes: query, key [B, d] float32; negatives [K, d] float32 (the queue,
 * K >= 1) -> Scalar. With the defaults only the query receives gradient.
 *
 * @example
 * const loss = infoNceLoss(q, k, queue.negatives(), { temperature: 0.2 });
 * // then enqueue k (spec §0.4: after the loss)
 */
export function infoNceLoss(
  query: Tensor2D,
  key: Tensor2D,
  negatives: Tensor2D,
  options: InfoNceOptions = {},
): Scalar {
  const o = resolveInfoNce('infoNceLoss', query, key, negatives, options);
  return tf.tidy(() => tf.mean(infoNceRows(query, key, negatives, o)) as Scalar);
}
