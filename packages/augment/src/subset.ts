/**
 * Applies an op to some samples of a batch and leaves the others untouched,
 * doing the op's work only on the chosen samples (gather, apply, merge back).
 * Call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';

export function applyToSubset(
  images: Tensor4D,
  chosen: readonly boolean[],
  op: (subset: Tensor4D, indices: readonly number[]) => Tensor4D,
): Tensor4D {
  const batch = images.shape[0];
  const indices: number[] = [];
  chosen.forEach((c, i) => {
    if (c) indices.push(i);
  });
  if (indices.length === 0) return tf.clone(images);
  if (indices.length === batch) return op(images, indices);
  const subset = tf.gather(images, tf.tensor1d(indices, 'int32'), 0) as Tensor4D;
  const changed = op(subset, indices);
  // Row b of the result is row b of `images`, or row batch + k of the concat
  // when b is the k-th chosen sample.
  const map = new Int32Array(batch);
  let k = 0;
  for (let b = 0; b < batch; b++) map[b] = chosen[b] ? batch + k++ : b;
  return tf.gather(tf.concat([images, changed], 0), tf.tensor1d(map, 'int32'), 0) as Tensor4D;
}

/** Draws one Bernoulli(p) flag per sample. */
export function drawFlags(batch: number, p: number, next: () => number): boolean[] {
  const flags: boolean[] = [];
  for (let b = 0; b < batch; b++) flags.push(next() < p);
  return flags;
}
