/** torchvision `Normalize`: (x - mean_c) / std_c per channel. */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { perChannel, withData, type Stacked } from './stacked';
import { assertImages } from './validate';
import { registerStackedForm } from './stacked-form';

export interface NormalizeOptions {
  /** Per-channel means (length C). */
  mean: readonly number[];
  /** Per-channel standard deviations (length C), each > 0. */
  std: readonly number[];
}

function checkOptions(fn: string, c: number, options: NormalizeOptions): void {
  const { mean, std } = options;
  if (!Array.isArray(mean) || mean.length !== c || !mean.every(Number.isFinite)) {
    throw argumentError('SHAPE_MISMATCH', fn, 'mean', `${c} finite numbers`, JSON.stringify(mean));
  }
  if (!Array.isArray(std) || std.length !== c || !std.every((s) => Number.isFinite(s) && s > 0)) {
    throw argumentError('OUT_OF_RANGE', fn, 'std', `${c} finite numbers > 0`, JSON.stringify(std));
  }
}

const scaleOf = (o: NormalizeOptions): number[] => o.std.map((s) => 1 / s);
const shiftOf = (o: NormalizeOptions): number[] => o.mean.map((m, i) => -m / o.std[i]!);

/**
 * images: [N, H, W, C]. Returns [N, H, W, C] = x * (1 / std) + (-mean / std).
 * One matmul with a diagonal matrix and a fused bias (exact: the off-diagonal
 * products are exact zeros), because a `[C]`-broadcast multiply and add take
 * wasm's slow broadcasting path.
 */
export function normalize(images: Tensor4D, options: NormalizeOptions): Tensor4D {
  const fn = 'normalize';
  assertImages(fn, images);
  const [n, h, w, c] = images.shape;
  checkOptions(fn, c, options);
  const scale = scaleOf(options);
  const diagonal = Array.from({ length: c * c }, (_, i) => (i % (c + 1) === 0 ? scale[i / (c + 1)]! : 0));
  return tf.tidy(() => {
    const out = tf.fused.matMul({
      a: tf.reshape(images, [n * h * w, c]) as Tensor2D,
      b: tf.tensor2d(diagonal, [c, c]),
      bias: tf.tensor1d(shiftOf(options)),
    });
    return tf.reshape(out, [n, h, w, c]) as Tensor4D;
  });
}

/** {@link normalize} on a stacked batch: two `[1, C, 1]` broadcasts. Internal; call in tidy. */
export function normalizeStacked(p: Stacked, options: NormalizeOptions): Stacked {
  checkOptions('normalize', p.c, options);
  return withData(p, tf.add(tf.mul(p.data, perChannel(scaleOf(options))), perChannel(shiftOf(options))));
}

registerStackedForm(normalize, (options: NormalizeOptions) => (p) => normalizeStacked(p, options));
