import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { viewPairExclusion } from '@contrastive/core';

/**
 * Boolean mask [2B, 2B] over the concatenated views [z1; z2]: true on the
 * diagonal (self-similarity), and with `positives` also at (i, i+B mod 2B).
 */
export function viewPairMask(batch: number, positives: boolean): Tensor2D {
  return tf.tidy(() => tf.cast(viewPairExclusion(batch, positives), 'bool') as Tensor2D);
}

/** labels[i] = (i + B) mod 2B: the column of each anchor's positive. */
export function viewPairLabels(batch: number): Int32Array {
  const n = 2 * batch;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = (i + batch) % n;
  return labels;
}
