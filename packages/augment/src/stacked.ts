/**
 * The stacked layout the colour ops and the blur run in: a batch
 * `[N, H, W, C]` held as `[H*W, C, N]` (pixel-major; for each pixel and
 * channel, the values of all images side by side), which is the batch stacked
 * into the channels of one image `[1, H, W, C*N]`.
 *
 * Why: on wasm, elementwise kernels are fast only when the operands have the
 * same shape or broadcast over contiguous runs; a per-channel operand ([C]
 * against [..., C]) or a per-pixel one ([P, 1] against [P, 3]) takes a slow
 * generic path (10-25x slower), and channel reductions and slices are slower
 * still. In `[HW, C, N]` per-image factors are `[1, 1, N]`, per-channel
 * constants `[1, C, 1]`, the luma `[HW, 1, N]` broadcasts over the channel
 * axis, a channel mix is one depthwise convolution and a channel maximum one
 * pooling, and one depthwise convolution of `[1, H, W, C*N]` blurs every
 * image with its own kernel. Converting costs one
 * 2-D transpose each way. Internal; call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';

/** A batch in stacked layout. `data`: [h * w, c, n]. */
export interface Stacked {
  readonly data: Tensor3D;
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** [N, H, W, C] -> [H*W, C, N] (one 2-D transpose). */
export function toStacked(images: Tensor4D): Stacked {
  const [n, h, w, c] = images.shape;
  const data = tf.reshape(tf.transpose(tf.reshape(images, [n, h * w * c])), [h * w, c, n]) as Tensor3D;
  return { data, n, h, w, c };
}

/** [H*W, C, N] -> [N, H, W, C]. */
export function fromStacked(p: Stacked): Tensor4D {
  const { n, h, w, c } = p;
  return tf.reshape(tf.transpose(tf.reshape(p.data, [h * w * c, n])), [n, h, w, c]) as Tensor4D;
}

/** The same batch with new data of the same shape. */
export function withData(p: Stacked, data: Tensor): Stacked {
  return { ...p, data: data as Tensor3D };
}

/** One value per image as a `[1, 1, N]` tensor (broadcasts over pixels and channels). */
export function perImage(values: ArrayLike<number>): Tensor3D {
  return tf.tensor3d(Float32Array.from(values), [1, 1, values.length]);
}

/** One value per channel as a `[1, C, 1]` tensor. */
export function perChannel(values: readonly number[]): Tensor3D {
  return tf.tensor3d([...values], [1, values.length, 1]);
}

/**
 * Linear combination of the channels, `sum_c weights[c] * x_c`: `[HW, 1, N]`,
 * as one depthwise convolution over the channel axis (a 3-tap column filter
 * per image; exact for one-hot weights). A `[P, C] @ [C, 1]` product or a
 * multiply and a channel sum take 1.2-4x longer on wasm.
 */
export function mixChannels(p: Stacked, weights: readonly number[]): Tensor3D {
  const { n, h, w, c } = p;
  const taps = Float32Array.from({ length: c * n }, (_, i) => weights[Math.floor(i / n)]!);
  const mixed = tf.depthwiseConv2d(
    tf.reshape(p.data, [h * w, c, 1, n]) as Tensor4D,
    tf.tensor4d(taps, [c, 1, n, 1]),
    1,
    'valid',
  );
  return tf.reshape(mixed, [h * w, 1, n]) as Tensor3D;
}

/**
 * Maximum over the channels: `[HW, 1, N]`, as one max pooling (wasm's `Max`
 * over a non-innermost axis transposes first).
 */
export function channelMax(p: Stacked): Tensor3D {
  const { n, h, w, c } = p;
  const pooled = tf.maxPool(tf.reshape(p.data, [h * w, c, 1, n]) as Tensor4D, [c, 1], 1, 'valid');
  return tf.reshape(pooled, [h * w, 1, n]) as Tensor3D;
}

/** Mean over the pixels of each image and channel: `[1, C, N]` (one pooling on wasm). */
export function imageMean(x: Tensor3D): Tensor3D {
  return tf.mean(x, 0, true) as Tensor3D;
}

/** A `[rows, cols]` matrix of zeros with ones at the given (row, column) pairs. */
function oneHot(rows: number, cols: number, pairs: readonly (readonly [number, number])[]): Tensor {
  const values = new Float32Array(rows * cols);
  for (const [r, c] of pairs) values[r * cols + c] = 1;
  return tf.tensor2d(values, [rows, cols]);
}

/**
 * The images `indices` of a stacked batch, as a stacked batch of
 * `indices.length` images: one `gather` along the image axis (exact copies).
 * On wasm this relies on `@contrastive/backend`'s heap-copy `GatherV2`
 * (9 ms for 27 of 64 images at 224 px; the built-in kernel takes 124 ms and a
 * one-hot product 18 ms).
 */
export function takeImages(p: Stacked, indices: readonly number[]): Stacked {
  const { h, w, c } = p;
  const picked = tf.gather(p.data, tf.tensor1d(Int32Array.from(indices), 'int32'), 2);
  return { data: picked as Tensor3D, n: indices.length, h, w, c };
}

/**
 * `p` with its images `indices` replaced by the images of `sub` (in order),
 * bit for bit: a one-hot product scatters `sub` into place (zeros elsewhere)
 * and the other images are kept with an exact 0/1 per-image weight.
 */
export function putImages(p: Stacked, sub: Stacked, indices: readonly number[]): Stacked {
  const { n, h, w, c } = p;
  const placed = tf.matMul(tf.reshape(sub.data, [h * w * c, sub.n]), oneHot(sub.n, n, indices.map((b, j) => [j, b] as const)));
  const keep = new Float32Array(n).fill(1);
  for (const b of indices) keep[b] = 0;
  return withData(p, tf.add(tf.mul(p.data, perImage(keep)), tf.reshape(placed, [h * w, c, n])));
}
