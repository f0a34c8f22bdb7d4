import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { argumentError, assertDtype, assertInteger, assertNonEmpty, assertRank, assertSameShape, createRng, describeShape } from '@contrastive/core';
import { inBatchCrossEntropy } from './in-batch-op';
import { marginCrossEntropyOp } from './margin-op';
import { EQCO_LOSS_DEFAULTS, resolveEqcoOptions, type EqcoLossOptions } from './eqco-loss';

/**
 * The subsampled negatives as 2K candidate keys (internal): off-diagonal
 * column c of row i is key c when c < i, else key c + 1. Returns the keys
 * [c_1..c_K, c_1 + 1..c_K + 1], the [B, 2K] 0/1 matrix of the candidates each
 * row does not use, and one used candidate per row. Exact whatever the
 * logits' range (the op masks by a data bound).
 */
function negativeCandidates(b: number, columns: Int32Array): { keys: Int32Array; exclude: Float32Array; included: Int32Array } {
  const k = columns.length;
  const exclude = new Float32Array(b * 2 * k);
  for (let i = 0; i < b; i++) {
    for (let m = 0; m < k; m++) exclude[i * 2 * k + (columns[m]! < i ? k + m : m)] = 1;
  }
  const included = Int32Array.from({ length: b }, (_, i) => (columns[0]! < i ? 0 : k));
  return { keys: Int32Array.from([...columns, ...columns.map((c) => c + 1)]), exclude, included };
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

let lastOffsets: { key: string; values: Float32Array } | undefined;

/** {@link rowOffsets}, remembering the last call (a training run repeats it every step). */
function cachedOffsets(b: number, margin: number, columns: Int32Array | undefined, range: number): Float32Array {
  const key = `${b} ${margin} ${range} ${columns === undefined ? '' : columns.join(',')}`;
  if (lastOffsets?.key !== key) lastOffsets = { key, values: rowOffsets(b, margin, columns, range) };
  return lastOffsets.values;
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
  const margin = Math.log(k / o.alpha);
  return tf.tidy(() => {
    // Few negatives (or unbounded logits): products with just the 2K keys they can be.
    if (columns !== undefined && (!o.normalize || 2 * k < b)) {
      const c = negativeCandidates(b, columns);
      const candidates = tf.gather(keys, tf.tensor1d(c.keys, 'int32')) as Tensor2D;
      return marginCrossEntropyOp(query, keys, candidates, {
        temperature: o.temperature,
        margin,
        normalize: o.normalize,
        exclude: tf.tensor2d(c.exclude, [b, 2 * k]),
        included: c.included,
      });
    }
    // Row i of q k^T / tau + log(K/alpha) on the diagonal is the CE row itself; unsampled
    // negatives are pushed down by a finite offset (never -Infinity, spec §0.3).
    const offsets = tf.tensor2d(cachedOffsets(b, margin, columns, 2 / o.temperature), [b, b]);
    // Unit rows: kept logits within 2/tau of each other, the diagonal |margin| further.
    const range = o.normalize ? 2 / o.temperature + 2 * Math.abs(margin) + Math.log(b) : Infinity;
    return inBatchCrossEntropy(query, keys, offsets, o.temperature, o.normalize, range);
  });
}
