import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { assertAxisSize, assertDtype, assertNonEmpty, assertPositive, assertRank, assertSameShape } from '@contrastive/core';
import { marginCrossEntropyOp } from './margin-op';

/** Options of {@link eqcoLoss}. */
export interface EqcoLossOptions {
  /** Softmax temperature tau. Default 0.2 (SiMo ImageNet config, spec §5(b)). Must be > 0. */
  temperature?: number;
  /**
   * The "equivalent number of negatives" alpha: the loss behaves as if it had
   * alpha negatives whatever K is; alpha = K is plain InfoNCE. Default 256
   * (SiMo ImageNet config, spec §5(b)); MoCo v2 + EqCo sweeps are believed to
   * use 65536 [U]. Must be > 0.
   */
  alpha?: number;
  /** L2-normalise query, key and negative rows first (spec §0.1). Default true. */
  normalize?: boolean;
}

/** Defaults of {@link eqcoLoss} (spec §5(b)). */
export const EQCO_LOSS_DEFAULTS: Readonly<Required<EqcoLossOptions>> = Object.freeze({
  temperature: 0.2,
  alpha: 256,
  normalize: true,
});

/** Validated options shared by the EqCo losses (internal). */
export function resolveEqcoOptions<T extends EqcoLossOptions>(fn: string, defaults: Required<T>, options: T): Required<T> {
  const o = { ...defaults, ...options } as Required<T>;
  assertPositive(fn, 'temperature', o.temperature);
  assertPositive(fn, 'alpha', o.alpha);
  return o;
}

/**
 * EqCo loss (Zhu et al., arXiv 2010.01929; spec §5(a)) with a queue or any
 * set of K negatives: InfoNCE whose negative sum is rescaled by alpha/K.
 *
 * Math: L = mean_i [ log( exp(s+_i/tau) + (alpha/K) sum_j exp(s-_ij/tau) ) - s+_i/tau ]
 * = CE([ s+/tau + log(K/alpha), s-_1/tau, ..., s-_K/tau ], 0), computed in the
 * margin form with logSumExp. alpha/K is always applied (the released code
 * comments it out; spec §5(e)). Key and negatives are constants (sg).
 *
 * Inputs: `query` [B, d] (gets the gradient), `key` [B, d] (row i is query
 * i's positive), `negatives` [K, d] (e.g. a MoCo queue), all float32.
 * Output: Scalar, the mean over the B queries.
 */
export function eqcoLoss(
  query: Tensor2D,
  key: Tensor2D,
  negatives: Tensor2D,
  options: EqcoLossOptions = {},
): Scalar {
  const fn = 'eqcoLoss';
  for (const [name, t] of [['query', query], ['key', key], ['negatives', negatives]] as const) {
    assertRank(fn, name, t, 2);
    assertDtype(fn, name, t, 'float32');
  }
  assertSameShape(fn, ['query', 'key'], query, key);
  assertNonEmpty(fn, 'query', query, 0);
  assertNonEmpty(fn, 'query', query, 1);
  assertNonEmpty(fn, 'negatives', negatives, 0);
  assertAxisSize(fn, 'negatives', negatives, 1, query.shape[1], `${query.shape[1]} columns (the query dimension)`);
  const o = resolveEqcoOptions(fn, EQCO_LOSS_DEFAULTS, options);
  const k = negatives.shape[0];
  return tf.tidy(() =>
    marginCrossEntropyOp(query, key, negatives, { temperature: o.temperature, margin: Math.log(k / o.alpha), normalize: o.normalize }),
  );
}
