/**
 * Per-image selection without moving images: {@link selectImages} blends two
 * batches with a 0/1 weight per image, which returns either input bit for bit
 * (`a * 1 + b * 0` and `a * 0 + b * 1` are exact for finite values). On wasm, slicing images out of a batch copies the whole batch per
 * slice and its gather is slower still, while the blend is three elementwise
 * kernels on the fast path. Call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** Draws one Bernoulli(p) flag per sample. */
export function drawFlags(batch: number, p: number, next: () => number): boolean[] {
  const flags: boolean[] = [];
  for (let b = 0; b < batch; b++) flags.push(next() < p);
  return flags;
}

/**
 * `changed()` for the flagged images, `original` for the others. `weights`
 * builds the per-image weight tensor that broadcasts against the batch
 * (`[N, 1, 1, 1]` for NHWC, `[1, 1, N]` for the stacked layout). `changed` is
 * only computed when some image is flagged.
 */
export function selectImages<T extends Tensor>(
  original: T,
  flags: readonly boolean[],
  changed: () => T,
  weights: (values: Float32Array) => Tensor,
): T {
  if (flags.every((f) => !f)) return original;
  const out = changed();
  if (flags.every((f) => f)) return out;
  const on = Float32Array.from(flags, (f) => (f ? 1 : 0));
  const off = on.map((v) => 1 - v);
  return tf.add(tf.mul(out, weights(on)), tf.mul(original, weights(off))) as T;
}

/** Per-image weights for an NHWC batch: `[N, 1, 1, 1]`. */
export const nhwcWeights = (values: Float32Array): Tensor => tf.tensor4d(values, [values.length, 1, 1, 1]);
