/**
 * The channel-planar layout the colour ops run in: a batch `[N, H, W, C]`
 * held as `[C, N, H*W]` (one contiguous plane per channel and image).
 *
 * Why: on wasm, elementwise kernels are fast only when the operands have the
 * same shape or broadcast over whole contiguous runs ([N, 1, 1, 1]-style);
 * a per-channel operand ([3]) or a per-pixel one ([P, 1] against [P, 3])
 * takes a slow generic path (10-25x slower), and channel reductions and
 * slices are slower still. In `[C, N, HW]`, per-image factors are `[1, N, 1]`,
 * per-channel constants `[C, 1, 1]`, the luma `[1, N, HW]` broadcasts over the
 * leading axis, and one channel is a `[1, 3] @ [3, N*HW]` product: every op is
 * on the fast path. Converting costs one 2-D transpose each way (none for
 * one channel). Internal; call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';

/** A batch in channel-planar layout. `data`: [c, n, h * w]. */
export interface Planar {
  readonly data: Tensor3D;
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** [N, H, W, C] -> planar (a 2-D transpose for C = 3, a reshape for C = 1). */
export function toPlanar(images: Tensor4D): Planar {
  const [n, h, w, c] = images.shape;
  const flat = tf.reshape(images, [n * h * w, c]);
  const data = tf.reshape(c === 1 ? flat : tf.transpose(flat), [c, n, h * w]) as Tensor3D;
  return { data, n, h, w, c };
}

/** Planar -> [N, H, W, C]. */
export function fromPlanar(p: Planar): Tensor4D {
  const { n, h, w, c } = p;
  const flat = tf.reshape(p.data, [c, n * h * w]);
  return tf.reshape(c === 1 ? flat : tf.transpose(flat), [n, h, w, c]) as Tensor4D;
}

/** The same batch with new data of the same shape. */
export function withData(p: Planar, data: Tensor): Planar {
  return { ...p, data: data as Tensor3D };
}

/** One value per image as a `[1, N, 1]` tensor (broadcasts over channels and pixels). */
export function perImage(values: ArrayLike<number>): Tensor3D {
  return tf.tensor3d(Float32Array.from(values), [1, values.length, 1]);
}

/** One value per channel as a `[C, 1, 1]` tensor. */
export function perChannel(values: readonly number[]): Tensor3D {
  return tf.tensor3d([...values], [values.length, 1, 1]);
}

/**
 * Linear combination of the channels, `sum_c weights[c] * x_c`: `[1, N, HW]`.
 * A `[C, 1, 1]` multiply and a sum over the leading axis (wasm runs that sum
 * as one streaming average pooling; a `[1, C] @ [C, N*HW]` product would
 * repack its whole right operand as matmul weights on every call).
 */
export function mixChannels(p: Planar, weights: readonly number[]): Tensor3D {
  return tf.sum(tf.mul(p.data, perChannel(weights)), 0, true) as Tensor3D;
}

/**
 * Maximum over the channels, `max_c weights[c] * x_c` (all ones by default):
 * `[1, N, HW]`, as one max pooling over the leading axis (wasm's `Max` over
 * a non-innermost axis transposes first, and `Slice` copies its whole input).
 * With one-hot weights it extracts a channel, exactly for inputs >= 0.
 */
export function channelMax(p: Planar, weights?: readonly number[]): Tensor3D {
  const { n, h, w, c } = p;
  const x = weights === undefined ? p.data : tf.mul(p.data, perChannel(weights));
  const pooled = tf.maxPool(tf.reshape(x, [1, c, 1, n * h * w]) as Tensor4D, [c, 1], 1, 'valid');
  return tf.reshape(pooled, [1, n, h * w]) as Tensor3D;
}
