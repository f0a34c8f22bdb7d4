import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/**
 * Boolean mask [2B, 2B] over the concatenated views [z1; z2]: true on the
 * diagonal (self-similarity), and with `positives` also at (i, i+B mod 2B).
 * Built on the JS side: 4B^2 bytes, no device read-back.
 */
export function viewPairMask(batch: number, positives: boolean): Tensor2D {
  const n = 2 * batch;
  const values = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    values[i * n + i] = 1;
    if (positives) values[i * n + ((i + batch) % n)] = 1;
  }
  return tf.tensor2d(values, [n, n], 'bool');
}

/** labels[i] = (i + B) mod 2B: the column of each anchor's positive. */
export function viewPairLabels(batch: number): Int32Array {
  const n = 2 * batch;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = (i + batch) % n;
  return labels;
}
