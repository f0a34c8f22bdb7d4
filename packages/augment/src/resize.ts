/**
 * Evaluation geometry: torchvision `Resize` (bilinear, half-pixel centres, no
 * antialiasing) and `CenterCrop`, and the two fused into one resampling.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import { roundHalfEven } from './crop-box';
import { resampleGrids } from './resample';
import { assertImages, toSize } from './validate';

/** `Resize(size)` output shape: an int resizes the shorter side, keeping the aspect ratio (truncated). */
export function resizedShape(height: number, width: number, size: number | readonly [number, number]): [number, number] {
  if (typeof size !== 'number') return [size[0], size[1]];
  return height <= width
    ? [size, Math.max(1, Math.trunc((size * width) / height))]
    : [Math.max(1, Math.trunc((size * height) / width)), size];
}

function checkSize(fn: string, size: unknown): void {
  toSize(fn, 'size', size);
}

/**
 * images: [N, H, W, C]. `size` n resizes the shorter side to n; `[h, w]` resizes
 * to exactly that. Returns the resized batch.
 */
export function resize(images: Tensor4D, size: number | readonly [number, number]): Tensor4D {
  const fn = 'resize';
  assertImages(fn, images);
  checkSize(fn, size);
  return resizeCenterCrop(images, { resize: size });
}

/** `CenterCrop(size)`: offsets round((H - h) / 2) as torchvision. Returns [N, h, w, C]. */
export function centerCrop(images: Tensor4D, size: number | readonly [number, number]): Tensor4D {
  const fn = 'centerCrop';
  assertImages(fn, images);
  const [h, w] = toSize(fn, 'size', size);
  const [n, height, width, c] = images.shape;
  if (h > height || w > width) {
    throw argumentError('OUT_OF_RANGE', fn, 'size', `at most the image size ${height}x${width}`, `${h}x${w}`);
  }
  const top = roundHalfEven((height - h) / 2);
  const left = roundHalfEven((width - w) / 2);
  return tf.slice(images, [0, top, left, 0], [n, h, w, c]);
}

export interface ResizeCenterCropOptions {
  /** Resize size (shorter side, or [h, w]). Required. */
  resize: number | readonly [number, number];
  /** Centre crop size after the resize. Default: no crop. */
  crop?: number | readonly [number, number];
}

/**
 * `Compose([Resize(resize), CenterCrop(crop)])` in one bilinear resampling
 * (sample positions identical to doing the two steps). Returns [N, crop..., C].
 */
export function resizeCenterCrop(images: Tensor4D, options: ResizeCenterCropOptions): Tensor4D {
  const fn = 'resizeCenterCrop';
  assertImages(fn, images);
  checkSize(fn, options.resize);
  const [n, height, width] = images.shape;
  const [rh, rw] = resizedShape(height, width, options.resize);
  const [ch, cw] = options.crop === undefined ? [rh, rw] : toSize(fn, 'crop', options.crop);
  if (ch > rh || cw > rw) {
    throw argumentError('OUT_OF_RANGE', fn, 'crop', `at most the resized size ${rh}x${rw}`, `${ch}x${cw}`);
  }
  const top = roundHalfEven((rh - ch) / 2);
  const left = roundHalfEven((rw - cw) / 2);
  const sy = height / rh;
  const sx = width / rw;
  const grid = {
    rows: { offset: (top + 0.5) * sy - 0.5, step: sy },
    cols: { offset: (left + 0.5) * sx - 0.5, step: sx },
  };
  return tf.tidy(() => resampleGrids(images, new Array(n).fill(grid), [ch, cw]));
}
