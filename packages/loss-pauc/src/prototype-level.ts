import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { Clustering } from '@contrastive/loss-protonce';
import { constantAnchor } from './constant';
import { PAUC_CORRELATION_EPSILON } from './options';

/** Weights of the two prototype-level terms and the uniformity scale t. */
export interface LevelWeights {
  uniformity: number;
  correlation: number;
  t: number;
}

/** Amount by which the masked diagonal sits below every pair's logit (spec §0.3: finite, no -Infinity). */
const DIAGONAL_MARGIN = 1e4;

/** `value` on the diagonal of an [n, n] float32 matrix, zeros elsewhere, built on the JS side. */
function diagonal(n: number, value: number): Tensor2D {
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = value;
  return tf.tensor2d(values, [n, n]);
}

/**
 * Index pairs (i, ids[j]) [B, P, 2] for gatherND: p[:, ids] in one kernel
 * (gather along axis 1 is slow on wasm, and recomputing the columns as
 * exp(v s_ids^T - lse) costs two reductions over [B, k]).
 */
function columnPairs(batch: number, ids: Int32Array): Tensor {
  const pairs = new Int32Array(batch * ids.length * 2);
  let o = 0;
  for (let i = 0; i < batch; i++) {
    for (let j = 0; j < ids.length; j++) {
      pairs[o++] = i;
      pairs[o++] = ids[j]!;
    }
  }
  return tf.tensor3d(pairs, [batch, ids.length, 2], 'int32');
}

/** Columns standardised over the batch: z = (x - mean) / sigma, sigma = sqrt(var + eps), biased var. */
function standardize(x: Tensor2D): { z: Tensor2D; sigma: Tensor } {
  const { mean, variance } = tf.moments(x, 0, true);
  const sigma = tf.sqrt(tf.add(variance, PAUC_CORRELATION_EPSILON));
  return { z: tf.div(tf.sub(x, mean), sigma) as Tensor2D, sigma };
}

/** Gradient through {@link standardize}: (dz - mean(dz) - z mean(dz z)) / sigma (columns over the batch). */
function standardizeBackward(dz: Tensor2D, z: Tensor2D, sigma: Tensor): Tensor2D {
  const centred = tf.sub(dz, tf.mean(dz, 0, true));
  return tf.div(tf.sub(centred, tf.mul(z, tf.mean(tf.mul(dz, z), 0, true))), sigma) as Tensor2D;
}

/**
 * lambda_u · L_uniform + lambda_c · L_corr of one clustering (spec §3(c)) as
 * one custom op on the normalised views v1, v2 [B, d] (v2 only when
 * lambda_c > 0), with S = C / phi [k, d] and p = softmax(v S^T):
 *
 * - uniformity: log mean_{i != j} exp(-t ||p_i - p_j||^2), distances from
 *   the Gram matrix G = p p^T (|p_i|^2 is its diagonal);
 * - correlation: Barlow Twins on x = p[:, ids] of both views, ids the batch's
 *   distinct prototypes (one gatherND of the [B, P] entries).
 *
 * Backward in closed form (the [B, k] chain rule through softmax, the
 * distance matrix and the column selection is never taped):
 *
 *   dL/dp1 (uniformity)  = U p1,   U = 4t lambda_u (W - diag(rowsum W)), W the pair
 *                          softmax (symmetric); rowsum(dL/dp1 ⊙ p1) = rowsum(U ⊙ G)
 *   dL/dx  (correlation) = standardisation backward of Z' Gr^T / B (and Z Gr / B),
 *                          Gr = dcorr/dR = -2 (1 - R) on the diagonal, 2 R / P off it
 *   dL/da  (softmax)     = p ⊙ (dL/dp - rho),   rho = rowsum(dL/dp ⊙ p)
 *   dL/dv1 = (p1 ⊙ (U p1 - rho1)) S + (x1 ⊙ dx1) S_ids      (with uniformity)
 *   dL/dv1 = (x1 ⊙ dx1) S_ids - rho1 ⊙ (p1 S)                (without)
 *   dL/dv2 = (x2 ⊙ dx2) S_ids - rho2 ⊙ (p2 S)
 *
 * Prototypes and concentrations are constants (zero gradient, spec §3(b)).
 * Shapes: v1, v2 [B >= 2, d]; ids Int32Array [P] (unused without
 * correlation) -> Scalar. Call inside a tidy.
 */
export function prototypeLevelTerms(v1: Tensor2D, v2: Tensor2D | undefined, c: Clustering, ids: Int32Array, w: LevelWeights): Scalar {
  const batch = v1.shape[0];
  const k = c.prototypes.shape[0];
  const columns = ids.length;
  const uniform = w.uniformity > 0;
  const correlate = w.correlation > 0 && v2 !== undefined;
  const op = tf.customGrad((...inputs: unknown[]) => {
    const save = inputs[inputs.length - 1] as (ts: Tensor[]) => void;
    const x1 = inputs[0] as Tensor2D;
    const scaled = tf.div(c.prototypes, tf.reshape(c.concentration, [k, 1])) as Tensor2D;
    const scaledT = tf.transpose(scaled) as Tensor2D;
    const p1 = tf.softmax(tf.matMul(x1, scaledT));
    let value: Tensor = tf.scalar(0);
    let kept: Tensor[] = [scaled, p1];
    if (uniform) {
      const gram = tf.matMul(p1, tf.transpose(p1));
      const sq = tf.sum(tf.mul(gram, diagonal(batch, 1)), 1, true);
      const distances = tf.relu(tf.sub(tf.add(sq, tf.reshape(sq, [1, batch])), tf.mul(gram, 2)));
      // Probability rows have |p|^2 <= 1, so D <= 4 and the diagonal sits 1e4 below every pair.
      const logits = tf.reshape(tf.add(tf.mul(distances, -w.t), diagonal(batch, -(4.01 * w.t + DIAGONAL_MARGIN))), [1, batch * batch]);
      const pairs = tf.softmax(logits);
      const lse = tf.sub(tf.max(logits), tf.log(tf.max(pairs)));
      value = tf.add(value, tf.mul(tf.sub(lse, Math.log(batch * (batch - 1))), w.uniformity));
      kept = [...kept, pairs, gram];
    }
    if (correlate) {
      const x2 = inputs[1] as Tensor2D;
      const selected = tf.gatherND(scaled, tf.tensor2d(ids, [columns, 1], 'int32')) as Tensor2D;
      const p2 = tf.softmax(tf.matMul(x2, scaledT));
      const pairs = columnPairs(batch, ids);
      const s1 = tf.gatherND(p1, pairs) as Tensor2D;
      const s2 = tf.gatherND(p2, pairs) as Tensor2D;
      const { z: z1, sigma: sigma1 } = standardize(s1);
      const { z: z2, sigma: sigma2 } = standardize(s2);
      const r = tf.div(tf.matMul(tf.transpose(z1), z2), batch);
      const eye = diagonal(columns, 1);
      const onDiagonal = tf.sum(tf.square(tf.mul(tf.sub(1, r), eye)));
      const offDiagonal = tf.sum(tf.square(tf.sub(r, tf.mul(r, eye))));
      value = tf.add(value, tf.mul(tf.add(onDiagonal, tf.div(offDiagonal, columns)), w.correlation));
      kept = [...kept, p2, selected, s1, s2, z1, z2, sigma1, sigma2, r];
    }
    save(kept);
    return {
      value: value as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [scaledS, p1S] = saved as [Tensor2D, Tensor2D];
        let rest = saved.slice(2);
        let fromSelected1: Tensor | undefined;
        let rho1: Tensor | undefined;
        let dv2: Tensor | undefined;
        let pull: Tensor2D | undefined;
        let rhoU: Tensor | undefined;
        if (uniform) {
          const [pairs, gram] = rest as [Tensor, Tensor2D];
          rest = rest.slice(2);
          const v = tf.mul(tf.reshape(pairs, [batch, batch]), 4 * w.t * w.uniformity);
          pull = tf.sub(v, tf.mul(diagonal(batch, 1), tf.sum(v, 1, true))) as Tensor2D;
          rhoU = tf.sum(tf.mul(pull, gram), 1, true);
        }
        if (correlate) {
          const [p2, selected, s1, s2, z1, z2, sigma1, sigma2, r] = rest as Tensor2D[];
          const eye = diagonal(columns, 1);
          const onDiagonal = tf.mul(tf.mul(tf.sub(1, r!), eye), -2);
          const offDiagonal = tf.mul(tf.sub(r!, tf.mul(r!, eye)), 2 / columns);
          const gr = tf.mul(tf.add(onDiagonal, offDiagonal), w.correlation / batch);
          const dx1 = standardizeBackward(tf.matMul(z2!, tf.transpose(gr)) as Tensor2D, z1!, sigma1!);
          const dx2 = standardizeBackward(tf.matMul(z1!, gr) as Tensor2D, z2!, sigma2!);
          // e = x ⊙ dx is dL/da on the selected columns, before the rho part.
          const e1 = tf.mul(s1!, dx1);
          const e2 = tf.mul(s2!, dx2);
          rho1 = tf.sum(e1, 1, true);
          fromSelected1 = tf.matMul(e1, selected!);
          dv2 = tf.sub(tf.matMul(e2, selected!), tf.mul(tf.sum(e2, 1, true), tf.matMul(p2!, scaledS)));
        }
        let dv1: Tensor;
        if (pull !== undefined) {
          const rho = rho1 === undefined ? rhoU! : tf.add(rhoU!, rho1);
          dv1 = tf.matMul(tf.mul(p1S, tf.sub(tf.matMul(pull, p1S), rho)), scaledS);
          if (fromSelected1 !== undefined) dv1 = tf.add(dv1, fromSelected1);
        } else {
          dv1 = tf.sub(fromSelected1!, tf.mul(rho1!, tf.matMul(p1S, scaledS)));
        }
        const anchor = tf.zeros([1]);
        return correlate ? [tf.mul(dv1, dy), tf.mul(dv2!, dy), anchor] : [tf.mul(dv1, dy), anchor];
      },
    };
  });
  const anchor = constantAnchor(c.prototypes, c.concentration);
  return (correlate ? op(v1, v2!, anchor) : op(v1, anchor)) as Scalar;
}
