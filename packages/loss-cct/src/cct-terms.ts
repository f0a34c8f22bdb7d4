import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError, assertInRange, assertNonNegative, assertPositive } from '@contrastive/core';
import { checkViews } from './check-views';
import { fusedCctTerms } from './fused-cct';

/** Options of {@link cctTerms} and {@link cctLoss}. */
export interface CctOptions {
  /**
   * t+ (`tau_pos`): inverse temperature of the positive plan
   * softmax(t+ ||z_i - z_j||^2); it multiplies the distance, so larger values
   * weight farther positives more. Default 1.0 (README and code, all small-scale
   * datasets; spec §6(b)). Must be >= 0 (0: uniform plan).
   */
  tPos?: number;
  /**
   * t- (`tau_neg`): inverse temperature of the negative plan
   * softmax(-t- ||z_i - z_j||^2); larger values weight closer negatives more.
   * Default 0.9 (CIFAR-10 README; CIFAR-100 and STL-10 use 2.0; spec §6(b)).
   * Must be >= 0.
   */
  tNeg?: number;
  /** Weight of the attraction term. Default 1.0 (README; spec §6(b)). Must be > 0. */
  alpha?: number;
  /** Weight of the repulsion term. Default 1.0 (README; spec §6(b)). Must be > 0. */
  beta?: number;
  /**
   * Debiased repulsion (`--with_debiased`): per anchor
   * (-tauPlus ||z_x,i - z_y,i||^2 - beta sum_j pi- c) / (1 - tauPlus); the
   * positive part carries no beta, as in the code (spec §6(a)). Default false.
   */
  debiased?: boolean;
  /** Class-prior tau+ of the debiased repulsion. Default 0.1 (code; spec §6(a)). In [0, 1). */
  tauPlus?: number;
  /**
   * Stop-gradient on the transport plans pi+ and pi-. Default true, the
   * recommendation of spec §6(e) (final TMLR version detaches all weights).
   * `false` is the paper-faithful small-scale code, where gradients also flow
   * through the softmax weights (an extra covariance term).
   */
  detachWeights?: boolean;
  /** L2-normalise every row first (spec §0.1). Default true. */
  normalize?: boolean;
}

/** Defaults of the small-scale CACR loss (CIFAR-10 settings, spec §6(b)). */
export const CCT_DEFAULTS: Readonly<Required<CctOptions>> = Object.freeze({
  tPos: 1,
  tNeg: 0.9,
  alpha: 1,
  beta: 1,
  debiased: false,
  tauPlus: 0.1,
  detachWeights: true,
  normalize: true,
});

/** Checked, defaulted plan options shared with the queue form (internal). */
export function resolveCctOptions<T extends CctOptions>(fn: string, defaults: Required<T>, options: T): Required<T> {
  const o = { ...defaults, ...options } as Required<T>;
  assertNonNegative(fn, 'tPos', o.tPos);
  assertNonNegative(fn, 'tNeg', o.tNeg);
  assertPositive(fn, 'alpha', o.alpha);
  assertPositive(fn, 'beta', o.beta);
  if ('tauPlus' in o) assertInRange(fn, 'tauPlus', o.tauPlus, { min: 0, max: 1, maxExclusive: true });
  for (const key of ['debiased', 'detachWeights', 'normalize'] as const) {
    if (key in o && typeof (o as CctOptions)[key] !== 'boolean') {
      throw argumentError('INVALID_ARGUMENT', fn, key, 'a boolean', String((o as CctOptions)[key]));
    }
  }
  return o;
}

function computeTerms(views: readonly Tensor2D[], o: Required<CctOptions>): [Tensor, Tensor] {
  const [attraction, repulsion] = tf.unstack(fusedCctTerms(views, o));
  return [attraction!, repulsion!];
}

/**
 * The two terms of the small-scale CACR / CCT loss (Zheng et al., arXiv
 * 2105.03746; spec §6(a); code JegZheng/CACR-SSL small_scale_experiments/losses).
 *
 * Math, with c = ||z - z'||^2:
 * attraction = alpha mean_views mean_i sum_{j in P(i)} pi+(j|i) c, pi+ = softmax(t+ c)
 *   over the other V - 1 views of image i;
 * repulsion = -beta mean_{x<y} mean_i sum_{j != i} pi-(j|i) c(z_x,i, z_y,j),
 *   pi- = softmax(-t- c) over view y's other B - 1 images (cross-view only, x -> y).
 *
 * Input: `views`, V >= 2 float32 tensors [B, d] (row i of each is a view of
 * image i), B >= 2. Output: `{ attraction, repulsion }`, two Scalars owned by
 * the caller (repulsion is negative).
 */
export function cctTerms(
  views: readonly Tensor2D[],
  options: CctOptions = {},
): { attraction: Scalar; repulsion: Scalar } {
  const fn = 'cctTerms';
  checkViews(fn, 'views', views, 2);
  const o = resolveCctOptions(fn, CCT_DEFAULTS, options);
  const [attraction, repulsion] = tf.tidy(() => computeTerms(views, o));
  return { attraction: attraction as Scalar, repulsion: repulsion as Scalar };
}

/**
 * Small-scale CACR / CCT loss: attraction + repulsion of {@link cctTerms}
 * (the official small-scale code uses V = 5 crops).
 */
export function cctLoss(views: readonly Tensor2D[], options: CctOptions = {}): Scalar {
  const fn = 'cctLoss';
  checkViews(fn, 'views', views, 2);
  const o = resolveCctOptions(fn, CCT_DEFAULTS, options);
  return tf.tidy(() => {
    return tf.sum(fusedCctTerms(views, o)) as Scalar;
  });
}
