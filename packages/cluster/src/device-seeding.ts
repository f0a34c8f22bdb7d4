/**
 * Seeding with the rows on the device, nothing read back.
 *
 * - `'random'`: the same k row indices as seeding.ts draws (the same calls
 *   of the same rng), gathered on the device: the device and host paths
 *   start from the same centroids.
 * - `'kmeans++'` (Arthur & Vassilvitskii 2007): D(x)^2 weights [N] stay on
 *   the device; per centre, a uniform u from the host rng is uploaded, the
 *   pick is the first row whose running weight sum exceeds u * total
 *   (cumsum and a count on the device, so zero-weight rows are never
 *   picked), its row is gathered and the weights take the minimum with the
 *   squared distances to it (one [N, d] x [d, 1] product). This is the exact
 *   k-means++ distribution up to float32 rounding of the weights, but it
 *   draws from the rng differently than the host path's blocked rejection
 *   sampler (k-means-plus-plus.ts), so the two paths pick different seeds.
 *   Cost: k sequential passes over the rows (about one E-step of
 *   arithmetic, in k small kernels each); PCL seeds at random (faiss).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';

/** k distinct rows of `x` chosen uniformly (seeding.ts's draws): [k, d], caller disposes. */
export function randomSeedsOnDevice(x: Tensor2D, k: number, rng: Rng): Tensor2D {
  const picks = rng.sampleWithoutReplacement(x.shape[0], k);
  return tf.tidy(() => tf.gather(x, tf.tensor1d(Int32Array.from(picks), 'int32')) as Tensor2D);
}

/**
 * k-means++ seeds of the rows of `x` ([N, d], borrowed) with squared norms
 * `norms` ([N]): [k, d] on the device, caller disposes.
 */
export function kMeansPlusPlusOnDevice(x: Tensor2D, norms: Tensor1D, k: number, rng: Rng): Tensor2D {
  const n = x.shape[0];
  const seeds: Tensor2D[] = [];
  let weights: Tensor1D | undefined;
  try {
    let pick: tf.Tensor = tf.tensor1d([rng.int(n)], 'int32');
    for (let j = 0; j < k; j++) {
      const centre = tf.tidy(() => tf.gather(x, pick) as Tensor2D);
      pick.dispose();
      seeds.push(centre);
      if (j + 1 === k) break;
      const u = rng.next();
      // A fallback draw for when every weight is 0 (every row sits on a centre): uniform, as on the host.
      const fallback = rng.int(n);
      const [nextWeights, nextPick] = tf.tidy(() => {
        // ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2, clamped at 0 (float32).
        const cross = tf.reshape(tf.matMul(x, centre, false, true), [n]);
        const distance = tf.relu(tf.add(tf.sub(norms, tf.mul(cross, 2)), tf.sum(tf.square(centre))));
        const w = (weights === undefined ? distance : tf.minimum(weights, distance)) as Tensor1D;
        const running = tf.cumsum(w);
        const total = tf.slice(running, [n - 1], [1]);
        const below = tf.sum(tf.cast(tf.lessEqual(running, tf.mul(total, u)), 'int32'));
        const chosen = tf.minimum(below, tf.scalar(n - 1, 'int32'));
        const next = tf.where(tf.greater(total, 0), tf.reshape(chosen, [1]), tf.tensor1d([fallback], 'int32'));
        return [w, next];
      });
      weights?.dispose();
      weights = nextWeights as Tensor1D;
      pick = nextPick!;
    }
    return tf.concat(seeds) as Tensor2D;
  } finally {
    tf.dispose(seeds);
    weights?.dispose();
  }
}
