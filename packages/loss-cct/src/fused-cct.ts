import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { MASK_MARGIN, l2NormalizeBackward, l2NormalizeParts } from '@contrastive/core';
import { layoutTables, type LayoutTables } from './view-pair-layout';

/** The plan options the fused op reads (resolved, see `CctOptions`). */
export interface FusedCctOptions {
  tPos: number;
  tNeg: number;
  alpha: number;
  beta: number;
  debiased: boolean;
  tauPlus: number;
  detachWeights: boolean;
  normalize: boolean;
}

const int = (a: Int32Array, shape?: number[]) => tf.tensor(a, shape ?? [a.length], 'int32');

/**
 * Weights of the chain rule through sum_j pi_j c_j with pi = softmax(scale c)
 * over the last axis: pi itself when the plan is detached, otherwise
 * pi (1 + scale (c - E)) with E = sum_j pi_j c_j (the covariance term).
 */
function planWeights(p: Tensor, c: Tensor, expected: Tensor, scale: number, detach: boolean): Tensor {
  if (detach || scale === 0) return p;
  return tf.mul(p, tf.add(tf.mul(tf.sub(c, expected), scale), 1));
}

/**
 * Both terms of the small-scale CACR loss (spec §6(a)) as one custom op with
 * a closed-form gradient; returns [attraction, repulsion] as a [2] tensor.
 *
 * Every cost is c(z, z') = |z|^2 + |z'|^2 - 2 z.z', so the loss is
 * sum_{u,v} W_uv c(z_u, z_v) over row pairs of the stacked views Z [V B, d]
 * with W the (detached, or covariance-corrected) plan weights times the term
 * scales, and dL/dZ = 2 (diag(W 1 + W^T 1) Z - (W + W^T) Z). W lives in
 * P = V(V-1)/2 blocks [B, B] (repulsion, pairs x < y) whose diagonals also
 * carry the attraction and debiased weights of the same-image pairs.
 *
 * The repulsion blocks are computed per group y (anchors = views 0..y-1, the
 * first yB rows of Z): one [yB, d] x [d, B] product forward, and [yB, B] x
 * [B, d] plus [d, yB] x [yB, B] backward; so the multiply-adds are exactly the
 * P pairwise products of the per-pair form, in 3 (V - 1) plain matMuls, with
 * no transpose of a [*, B] matrix. The same-image distances come out of the
 * block diagonals; the attraction plan is a softmax over [B, V, V].
 * L2 normalisation (when on) runs inside the op, its Jacobian in closed form.
 *
 * Excluded entries (j = i in a block; y = x in the attraction) are lowered by
 * a depth that bounds every logit twice over plus MASK_MARGIN: their exp is
 * exactly 0 (spec §0.3). Inputs: V >= 2 float32 [B, d], B >= 2. Call in a tidy.
 */
export function fusedCctTerms(views: readonly Tensor2D[], o: FusedCctOptions): Tensor {
  const [b, d] = views[0]!.shape;
  const l = layoutTables(views.length, b);
  const op = tf.customGrad((...inputs: unknown[]) => {
    const save = inputs[inputs.length - 1] as (ts: Tensor[]) => void;
    const forward = cctForward(inputs.slice(0, -1) as Tensor2D[], l, o);
    save(forward.saved);
    return {
      value: forward.value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => cctBackward(dy, saved, l, d, o),
    };
  });
  return op(...views);
}

interface Forward {
  value: Tensor;
  /** [z, zt, r, above, attractionWeights, maskValue, then per group y: weights, mask]. */
  saved: Tensor[];
}

/**
 * The exclusion mask of group y: `value` at (row, row mod B), 0 elsewhere,
 * [rows, B]. An int32 one-hot cast to float32 (wasm's OneHot writes int32
 * bits whatever the dtype), so an integer `value` needs no extra multiply.
 */
function exclusionMask(sameImage: Int32Array, b: number, value: number | Tensor): Tensor {
  const columns = int(sameImage);
  if (typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31)) {
    return tf.cast(tf.oneHot(columns, b, value, 0), 'float32');
  }
  return tf.mul(tf.cast(tf.oneHot(columns, b), 'float32'), value);
}

function cctForward(views: Tensor2D[], t: LayoutTables, o: FusedCctOptions): Forward {
  const { views: v, batch: b, pairs } = t.layout;
  const x = tf.concat(views, 0); // [V B, d]
  let z: Tensor = x;
  let r: Tensor = tf.scalar(1);
  let above: Tensor = tf.scalar(1);
  if (o.normalize) ({ y: z, r, above } = l2NormalizeParts(x));
  const sq = tf.reshape(tf.sum(tf.square(z), 1), [1, -1]); // [1, V B]
  // Unit rows (or zero rows) have |z|^2 <= 1; otherwise bound by the data.
  const maxSq: number | Tensor = o.normalize ? 1.01 : tf.max(sq);
  const depth = (bound: number) =>
    typeof maxSq === 'number' ? Math.ceil(maxSq * bound + MASK_MARGIN) : tf.add(tf.mul(maxSq, bound), MASK_MARGIN);
  // Repulsion logits raw = s m, m = |z_y,j|^2 - 2 z_x,i . z_y,j (the cost minus the
  // anchor's |z_x,i|^2, a per-row constant), s = -t- (or -1 for t- = 0, whose plan is
  // uniform), straight out of one product: [z, 1] . [-2 s z^T; s |z|^2].
  const s = o.tNeg > 0 ? -o.tNeg : -1;
  const maskValue = typeof maxSq === 'number' ? -depth(6 * Math.max(o.tNeg, 1)) : tf.neg(depth(6 * Math.max(o.tNeg, 1)));
  const zt = tf.transpose(z); // [d, V B]
  const left = tf.concat([z, tf.ones([v * b, 1])], 1); // [V B, d + 1]
  const right = tf.concat([tf.mul(zt, -2 * s), tf.mul(sq, s)], 0); // [d + 1, V B]
  const saved: Tensor[] = [];
  const expectedParts: Tensor[] = [];
  const diagonalParts: Tensor[] = [];
  for (let y = 1; y < v; y++) {
    const rows = y * b;
    const raw = tf.matMul(tf.slice(left, [0, 0], [rows, -1]), tf.slice(right, [0, y * b], [-1, b]));
    const mask = exclusionMask(t.sameImage[y - 1]!, b, maskValue);
    const p = tf.softmax(o.tNeg > 0 ? tf.add(raw, mask) : mask);
    const expected = tf.sum(tf.mul(p, raw), 1); // s sum_j pi- m
    const weights = o.detachWeights || o.tNeg === 0 ? p : tf.mul(p, tf.add(tf.sub(raw, tf.reshape(expected, [rows, 1])), 1));
    saved.push(weights, mask);
    expectedParts.push(expected);
    diagonalParts.push(tf.gather(tf.reshape(raw, [-1]), int(t.diagonal[y - 1]!)));
  }
  const anchorSq = tf.gather(tf.reshape(sq, [-1]), int(t.anchorRows)); // [P B]
  const expected = tf.add(anchorSq, tf.div(tf.concat(expectedParts, 0), s)); // sum_j pi- c per anchor row
  const positive = tf.add(anchorSq, tf.div(tf.concat(diagonalParts, 0), s)); // ||z_x,i - z_y,i||^2

  // Attraction: costs [B, V, V] from the pair distances; the plan excludes y = x.
  const costs = tf.reshape(tf.gather(positive, int(t.attraction)), [b, v, v]);
  const attractionMask = tf.mul(tf.eye(v), tf.neg(depth(8 * o.tPos))); // 0 <= t+ c <= 4 t+ max|z|^2
  const pa = tf.softmax(tf.add(tf.mul(costs, o.tPos), attractionMask));
  const pulled = tf.sum(tf.mul(pa, costs), -1, true); // [B, V, 1]
  const attraction = tf.mul(tf.sum(pulled), o.alpha / (v * b));
  const attractionWeights = planWeights(pa, costs, pulled, o.tPos, o.detachWeights);

  const n = pairs * b;
  const pushed = tf.mul(tf.sum(expected), -o.beta / n);
  const repulsion = o.debiased
    ? tf.div(tf.sub(pushed, tf.mul(tf.sum(positive), o.tauPlus / n)), 1 - o.tauPlus)
    : pushed;
  return {
    value: tf.stack([attraction, repulsion]),
    saved: [z, zt, r, above, attractionWeights, typeof maskValue === 'number' ? tf.scalar(maskValue) : maskValue, ...saved],
  };
}

/** The V row blocks [B, d] of [V B, d] as contiguous slices. */
function rowBlocks(x: Tensor, v: number, b: number): Tensor[] {
  return Array.from({ length: v }, (_, i) => tf.slice(x, [i * b, 0], [b, -1]));
}

function cctBackward(dy: Tensor, saved: Tensor[], t: LayoutTables, d: number, o: FusedCctOptions): Tensor[] {
  const { views: v, batch: b, pairs } = t.layout;
  const [z, zt, r, above, attractionWeights, maskValue] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
  const [dyA, dyR] = tf.unstack(dy) as [Tensor, Tensor];
  const n = pairs * b;
  const keep = o.debiased ? 1 / (1 - o.tauPlus) : 1;
  // The factor 2 of dc/dz is folded into every weight.
  const repulsionScale = tf.mul(dyR, (-2 * o.beta * keep) / n);
  // Same-image weights [P B]: both attraction directions, plus the debiased positive.
  const both = tf.gather(tf.reshape(attractionWeights, [-1]), int(t.attractionPairs, [2, n]));
  let sameImage = tf.mul(tf.sum(both, 0), tf.mul(dyA, (2 * o.alpha) / (v * b)));
  if (o.debiased) sameImage = tf.add(sameImage, tf.mul(dyR, (-2 * o.tauPlus * keep) / n));
  // Block weights W = scale * plan + diag(sameImage), the diagonal written through the mask.
  const onMask = tf.div(sameImage, maskValue);

  const anchorSide: Tensor[] = []; // per group: W z_y [yB, d]
  const negativeSide: Tensor[] = []; // per group: A_y^T W [d, B]
  const columnSums: Tensor[] = [];
  for (let y = 1; y < v; y++) {
    const rows = y * b;
    const [p, mask] = [saved[6 + 2 * (y - 1)]!, saved[7 + 2 * (y - 1)]!];
    const u = tf.reshape(tf.slice(onMask, [((y * (y - 1)) / 2) * b], [rows]), [rows, 1]);
    const w = tf.add(tf.mul(p, repulsionScale), tf.mul(mask, u));
    anchorSide.push(tf.matMul(w, tf.slice(z, [y * b, 0], [b, -1])));
    negativeSide.push(tf.matMul(tf.slice(zt, [0, 0], [-1, rows]), w));
    columnSums.push(tf.sum(w, 0));
  }
  // Sum the blocks into views: view x's rows of every group y > x (anchor
  // side) plus group x's negative side; adds of [B, d] blocks.
  const negative = rowBlocks(tf.reshape(tf.transpose(tf.reshape(tf.concat(negativeSide, 0), [v - 1, d, b]), [0, 2, 1]), [(v - 1) * b, d]), v - 1, b);
  const perView: Tensor[] = [];
  for (let view = 0; view < v; view++) {
    const parts: Tensor[] = view > 0 ? [negative[view - 1]!] : [];
    for (let y = view + 1; y < v; y++) parts.push(tf.slice(anchorSide[y - 1]!, [view * b, 0], [b, -1]));
    perView.push(parts.length === 1 ? parts[0]! : tf.addN(parts));
  }
  const mixed = tf.concat(perView, 0);
  // Row sums of W are scale + sameImage (every plan row sums to 1, also with
  // the covariance term); the diagonal coefficients as one small 0/1 product.
  const aggregate = tf.tensor2d(t.aggregation, [v, pairs + v - 1]);
  const rowSums = tf.reshape(tf.add(sameImage, repulsionScale), [pairs, b]);
  const sums = tf.concat([rowSums, tf.stack(columnSums)], 0);
  const diagonal = tf.reshape(tf.matMul(aggregate, sums), [v * b, 1]);
  let dz = tf.sub(tf.mul(z, diagonal), mixed);
  if (o.normalize) {
    dz = l2NormalizeBackward(dz, { y: z, r, above });
  }
  // Row slices, not tf.split (SplitV is slow on wasm).
  return rowBlocks(dz, v, b);
}
