/** Reads an int32 label tensor or checks a label array. */
import type { Tensor1D } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { argumentError, assertDtype, assertRank } from '@contrastive/core';

/** Labels as a tensor (int32 [N]) or any array-like of integers. */
export type Labels = Tensor1D | ArrayLike<number>;

/** Labels as an Int32Array; tensors are read back asynchronously. */
export async function readLabels(fn: string, argument: string, labels: Labels): Promise<Int32Array> {
  if (labels instanceof tf.Tensor) {
    assertRank(fn, argument, labels, 1);
    assertDtype(fn, argument, labels, 'int32');
    return Int32Array.from(await labels.data());
  }
  return toIntLabels(fn, argument, labels);
}

/** Checks that every entry is an integer >= 0 and returns an Int32Array copy. */
export function toIntLabels(fn: string, argument: string, labels: ArrayLike<number>): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw argumentError('OUT_OF_RANGE', fn, argument, 'integers >= 0', `${v} at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/** Number of rows of labels. */
export function labelCount(labels: Labels): number {
  return labels instanceof tf.Tensor ? labels.shape[0] : labels.length;
}
