import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError, assertDtype, assertInteger, assertNonEmpty, assertRank, assertSameShape, createRng, describeShape, l2Normalize, logSumExpLastAxis, offDiagonal, similarityToConstant, stopGradient } from '@contrastive/core';
import { EQCO_LOSS_DEFAULTS, resolveEqcoOptions, type EqcoLossOptions } from './eqco-loss';
import { marginCrossEntropy } from './margin-cross-entropy';

/**
 * One-hot [n, k] matrix whose column c picks entry columns[c]. Multiplying by
 * it selects columns exactly (products with 1 and sums with 0) and, unlike
 * gather, has a gradient on every backend (wasm lacks UnsortedSegmentSum).
 */
function selection(n: number, columns: Int32Array): Tensor2D {
  const values = new Float32Array(n * columns.length);
  columns.forEach((from, c) => {
    values[from * columns.length + c] = 1;
  });
  return tf.tensor2d(values, [n, columns.length]);
}

/**
 * Additive [B, B] offsets: the margin on the diagonal, 0 on the kept
 * negatives (off-diagonal numbering `columns`, or all when undefined), and
 * -(range + margin + 100) elsewhere. With unit rows every logit lies within
 * `range` = 2/tau of every other, so a dropped entry ends up at least e^100
 * below the positive: exactly 0 in float32, and finite.
 */
function rowOffsets(b: number, margin: number, columns: Int32Array | undefined, range: number): Float32Array {
  const out = new Float32Array(b * b);
  if (columns !== undefined) out.fill(-(range + Math.abs(margin) + 100));
  for (let i = 0; i < b; i++) {
    out[i * b + i] = margin;
    if (columns === undefined) continue;
    for (const c of columns) out[i * b + (c < i ? c : c + 1)] = 0;
  }
  return out;
}

/** Options of {@link simoLoss}. */
export interface SimoLossOptions extends EqcoLossOptions {
  /**
   * K, the number of in-batch negatives per query. When K < B - 1 they are
   * chosen by one random permutation of the B - 1 off-diagonal columns,
   * shared by all rows; otherwise all B - 1 are used and K = B - 1.
   * Default 256 (SiMo config: with batch 256 all 255 are used; spec §5(b), §5(e)).
   * Integer >= 1.
   */
  numNegatives?: number;
  /**
   * Seed of the negative subsampling (used only when K < B - 1). Default 0.
   * Pass a new seed each step (e.g. the step index) for fresh negatives.
   */
  seed?: number;
}

/** Defaults of {@link simoLoss} (SiMo ImageNet config, spec §5(b)). */
export const SIMO_LOSS_DEFAULTS: Readonly<Required<SimoLossOptions>> = Object.freeze({
  ...EQCO_LOSS_DEFAULTS,
  numNegatives: 256,
  seed: 0,
});

/**
 * SiMo (simplified MoCo; Zhu et al., arXiv 2010.01929; spec §5(a)): the EqCo
 * loss with in-batch keys and no queue. Query i's positive is key i, its
 * negatives are keys j != i (subsampled to K), and alpha/K is applied. One
 * direction only (queries from view 1, keys from view 2); keys are sg.
 *
 * Math: L = mean_i [ logsumexp([ q_i.k_i/tau + log(K/alpha), q_i.k_j/tau (j in N_i) ]) - q_i.k_i/tau - log(K/alpha) ].
 *
 * Inputs: `query` [B, d] (online encoder), `keys` [B, d] (momentum encoder),
 * float32, B >= 2. Output: Scalar, mean over the B queries.
 */
export function simoLoss(query: Tensor2D, keys: Tensor2D, options: SimoLossOptions = {}): Scalar {
  const fn = 'simoLoss';
  assertRank(fn, 'query', query, 2);
  assertRank(fn, 'keys', keys, 2);
  assertDtype(fn, 'query', query, 'float32');
  assertDtype(fn, 'keys', keys, 'float32');
  assertSameShape(fn, ['query', 'keys'], query, keys);
  assertNonEmpty(fn, 'query', query, 0);
  assertNonEmpty(fn, 'query', query, 1);
  const b = query.shape[0];
  if (b < 2) {
    throw argumentError('SHAPE_MISMATCH', fn, 'query', 'of at least 2 rows (in-batch negatives)', describeShape(query.shape));
  }
  const o = resolveEqcoOptions(fn, SIMO_LOSS_DEFAULTS, options);
  assertInteger(fn, 'numNegatives', o.numNegatives, 1);
  assertInteger(fn, 'seed', o.seed);
  const k = Math.min(o.numNegatives, b - 1);
  const columns = k < b - 1 ? createRng(o.seed).permutation(b - 1).slice(0, k) : undefined;
  return tf.tidy(() => {
    const q = o.normalize ? l2Normalize(query) : query;
    const kk = stopGradient(o.normalize ? l2Normalize(keys) : keys);
    const scale = 1 / o.temperature;
    const positive = tf.add(tf.mul(tf.sum(tf.mul(q, kk), 1), scale), Math.log(k / o.alpha));
    const logits = similarityToConstant(tf.mul(q, scale), kk); // [B, B], positives on the diagonal
    if (columns === undefined || o.normalize) {
      // Row i of logits + log(K/alpha) on the diagonal is the CE row itself; unsampled
      // negatives are pushed down by a finite offset (never -Infinity, spec §0.3).
      const offsets = tf.tensor2d(rowOffsets(b, Math.log(k / o.alpha), columns, 2 / o.temperature), [b, b]);
      const lse = tf.reshape(logSumExpLastAxis(tf.add(logits, offsets)), [b]);
      return tf.mean(tf.sub(lse, positive)) as Scalar;
    }
    // Unnormalised rows have unbounded logits, so no offset is safe: select exactly.
    const negative = tf.matMul(offDiagonal(logits), selection(b - 1, columns));
    return tf.mean(marginCrossEntropy(positive, negative)) as Scalar;
  });
}
