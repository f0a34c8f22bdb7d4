import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import {
  argumentError,
  assertAxisSize,
  assertDtype,
  assertNonEmpty,
  assertRank,
  assertSameShape,
  l2Normalize,
  stopGradient,
} from '@contrastive/core';
import { checkViews } from './check-views';
import { resolveCctOptions, type CctOptions } from './cct-terms';
import { offDiagonal } from './off-diagonal';
import { logNormalizer, plan, squaredDistances, squaredNorms, transportCost } from './transport';
import { similarityToConstant } from './similarity';

/** Options of {@link cctQueueLoss}: the plan options of the small-scale form, without debiasing. */
export type CctQueueOptions = Omit<CctOptions, 'debiased' | 'tauPlus'>;

/**
 * Defaults of the MoCo-v2-style CACR loss (ImageNet README: t+ 1, t- 2,
 * alpha = beta = 1; the code defaults alpha = beta = 3; spec §6(b)).
 */
export const CCT_QUEUE_DEFAULTS: Readonly<Required<CctQueueOptions>> = Object.freeze({
  tPos: 1,
  tNeg: 2,
  alpha: 1,
  beta: 1,
  detachWeights: true,
  normalize: true,
});

function computeQueueTerms(
  queries: readonly Tensor2D[],
  keys: readonly Tensor2D[],
  queue: Tensor2D,
  o: Required<CctQueueOptions>,
): [Tensor, Tensor] {
  const v = queries.length;
  const [b, d] = queries[0]!.shape;
  const q = tf.stack(queries.map((x) => (o.normalize ? l2Normalize(x) : x))); // [V, B, d]
  const k = stopGradient(tf.stack(keys.map((x) => (o.normalize ? l2Normalize(x) : x)))); // [V, B, d]
  const n = stopGradient(o.normalize ? l2Normalize(queue) : queue); // [K, d]

  // Attraction: query x of image i against the keys of the other views of image i.
  const positives = offDiagonal(squaredDistances(tf.transpose(q, [1, 0, 2]), tf.transpose(k, [1, 0, 2])));
  const attraction = tf.mul(tf.mean(transportCost(positives, o.tPos, o.detachWeights)), o.alpha);

  // Repulsion over the queue: one product for all views, each row with its own
  // view's similarities. With c = |q_i|^2 + |n_j|^2 - 2 q_i.n_j, the logits
  // -t c equal 2t q_i.n_j - t |n_j|^2 up to the row constant -t |q_i|^2, which
  // the intra-batch logits below share, so it is left out of both.
  const flat = tf.reshape(q, [v * b, d]);
  const rowNorms = squaredNorms(flat); // [V B, 1]
  const queueNorms = tf.reshape(squaredNorms(n), [1, -1]); // [1, K]
  const dots = similarityToConstant(flat, n); // [V B, K]
  const queueLogits = tf.sub(tf.mul(dots, 2 * o.tNeg), tf.mul(queueNorms, o.tNeg));
  const queuePlan = plan(queueLogits, o.detachWeights);
  // sum_j p_j c_j = |q|^2 + sum_j p_j |n_j|^2 - 2 sum_j p_j q.n_j
  const queueCost = tf.sub(
    tf.add(rowNorms, tf.matMul(queuePlan, tf.reshape(queueNorms, [-1, 1]))),
    tf.mul(tf.sum(tf.mul(queuePlan, dots), 1, true), 2),
  );
  if (b === 1) return [attraction, tf.mul(tf.mean(queueCost), -o.beta)];

  // Intra-batch candidates: the other B - 1 queries of the same view.
  const intraCost = tf.reshape(offDiagonal(squaredDistances(q, q)), [v * b, b - 1]);
  const intraLogits = tf.mul(tf.sub(intraCost, rowNorms), -o.tNeg);
  const intraPlan = plan(intraLogits, o.detachWeights);
  const intraExpected = tf.sum(tf.mul(intraPlan, intraCost), 1, true);
  // One softmax over all K + B - 1 candidates: each part's plan times its share.
  const share = tf.sigmoid(tf.sub(logNormalizer(queueLogits, queuePlan), logNormalizer(intraLogits, intraPlan)));
  const queueShare = o.detachWeights ? stopGradient(share) : share;
  const pushed = tf.add(tf.mul(queueShare, queueCost), tf.mul(tf.sub(1, queueShare), intraExpected));
  return [attraction, tf.mul(tf.mean(pushed), -o.beta)];
}

function check(fn: string, queries: readonly Tensor2D[], keys: readonly Tensor2D[], queue: Tensor2D): void {
  checkViews(fn, 'queries', queries, 1);
  checkViews(fn, 'keys', keys, 1);
  if (keys.length !== queries.length) {
    throw argumentError('SHAPE_MISMATCH', fn, 'keys', `${queries.length} views (one per query view)`, `${keys.length}`);
  }
  assertSameShape(fn, ['queries[0]', 'keys[0]'], queries[0]!, keys[0]!);
  assertRank(fn, 'queue', queue, 2);
  assertDtype(fn, 'queue', queue, 'float32');
  assertNonEmpty(fn, 'queue', queue, 0);
  assertAxisSize(fn, 'queue', queue, 1, queries[0]!.shape[1], `${queries[0]!.shape[1]} columns (the embedding dimension)`);
}

/**
 * The two terms of the MoCo-v2-style CACR loss (spec §6(a), ImageNet
 * large_scale_shift_experiments builder), computed per view.
 *
 * For each view x: attraction = alpha mean_i sum_{y != x} pi+ ||q_x,i - k_y,i||^2,
 * pi+ = softmax over y of t+ ||q_x,i - k_y,i||^2; repulsion = -beta mean_i sum_n pi- c,
 * over the candidates n = the K queue entries (c = ||q_x,i - n||^2, = 2 - 2 q.n for
 * unit rows) and the other B - 1 queries of view x, pi- = softmax(-t- c) over all
 * K + B - 1 candidates. Both terms are averaged over the V views. Each view uses
 * its own queue similarities (the official builder reuses view 0's; spec §6(e)).
 *
 * Inputs: `queries` V >= 2 tensors [B, d] (online encoder, get the gradient),
 * `keys` V tensors [B, d] (momentum encoder, sg), `queue` [K, d] (sg). B >= 1.
 * Output: two Scalars owned by the caller. Enqueue (the last view's keys, as in
 * the code) after the loss.
 */
export function cctQueueTerms(
  queries: readonly Tensor2D[],
  keys: readonly Tensor2D[],
  queue: Tensor2D,
  options: CctQueueOptions = {},
): { attraction: Scalar; repulsion: Scalar } {
  const fn = 'cctQueueTerms';
  check(fn, queries, keys, queue);
  const o = resolveCctOptions(fn, CCT_QUEUE_DEFAULTS, options);
  const [attraction, repulsion] = tf.tidy(() => computeQueueTerms(queries, keys, queue, o));
  return { attraction: attraction as Scalar, repulsion: repulsion as Scalar };
}

/** MoCo-v2-style CACR loss: attraction + repulsion of {@link cctQueueTerms}. */
export function cctQueueLoss(
  queries: readonly Tensor2D[],
  keys: readonly Tensor2D[],
  queue: Tensor2D,
  options: CctQueueOptions = {},
): Scalar {
  const fn = 'cctQueueLoss';
  check(fn, queries, keys, queue);
  const o = resolveCctOptions(fn, CCT_QUEUE_DEFAULTS, options);
  return tf.tidy(() => {
    const [attraction, repulsion] = computeQueueTerms(queries, keys, queue, o);
    return tf.add(attraction, repulsion) as Scalar;
  });
}
