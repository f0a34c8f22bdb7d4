import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError, assertAxisSize, assertDtype, assertNonEmpty, assertRank, assertSameShape, l2Normalize, offDiagonal, stopGradient } from '@contrastive/core';
import { checkViews } from './check-views';
import { resolveCctOptions, type CctOptions } from './cct-terms';
import { detachedLogNormalizer, logNormalizer, transportCost, viewDistances } from './transport';
import { intraViewDistances, queueTransport } from './queue-transport';

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
  const b = queries[0]!.shape[0];
  const qs = queries.map((x) => (o.normalize ? l2Normalize(x) : x));
  const ks = keys.map((x) => stopGradient(o.normalize ? l2Normalize(x) : x));
  // [K, d], a constant: the detached queue op gives it a zero gradient itself,
  // so the sg clone of the whole queue is only needed on the autodiff path.
  const unit = o.normalize ? l2Normalize(queue) : queue;
  const n = o.detachWeights ? unit : stopGradient(unit);

  // Attraction: query x of image i against the keys of the other views of image i.
  const positives = offDiagonal(viewDistances(tf.stack(qs, 1), tf.stack(ks, 1))); // [B, V, V - 1]
  const attraction = tf.mul(tf.mean(transportCost(positives, o.tPos, o.detachWeights)), o.alpha);

  // Repulsion over the queue: one product for all views, each row with its own
  // view's similarities (the official builder reuses view 0's; spec §6(e)).
  const flat = tf.concat(qs, 0); // [V B, d]
  const stats = queueTransport(flat, n, o.tNeg, o.detachWeights); // [V B, 2]
  const queueExpected = tf.slice(stats, [0, 0], [v * b, 1]);
  if (b === 1) return [attraction, tf.mul(tf.mean(queueExpected), -o.beta)];

  // Intra-batch candidates: the other B - 1 queries of the same view. One
  // softmax over all K + B - 1 candidates = each part's own plan times its share.
  const intraCost = intraViewDistances(qs, offDiagonal); // [V B, B - 1]
  const intraLogits = tf.mul(intraCost, -o.tNeg);
  const intraLse = o.detachWeights
    ? detachedLogNormalizer(intraLogits)
    : logNormalizer(intraLogits, tf.softmax(intraLogits));
  const intraExpected = tf.expandDims(transportCost(intraCost, -o.tNeg, o.detachWeights), 1);
  const share = tf.sigmoid(tf.sub(tf.slice(stats, [0, 1], [v * b, 1]), intraLse));
  const queueShare = o.detachWeights ? stopGradient(share) : share;
  const pushed = tf.add(tf.mul(queueShare, queueExpected), tf.mul(tf.sub(1, queueShare), intraExpected));
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
