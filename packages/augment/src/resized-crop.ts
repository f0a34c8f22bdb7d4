/**
 * Crop each image to its own box and resize it to `size` with bilinear
 * sampling: torchvision's `F.resized_crop(img, top, left, h, w, size)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { argumentError } from '@contrastive/core';
import type { CropBox } from './crop-box';
import { resampleGrids, resampleGridsStacked, type SampleGrid } from './resample';
import type { Stacked } from './stacked';
import { assertImages, toSize } from './validate';

export interface ResizedCropOptions {
  /** Output size, `n` or `[height, width]`. Required. */
  size: number | readonly [number, number];
  /** Per sample: mirror the crop left-right (a free horizontal flip). Default none. */
  flip?: readonly boolean[];
}

/** The sampling grid of a crop box resized to `[outH, outW]` (half-pixel centres). */
export function cropGrid(box: CropBox, outH: number, outW: number, flip = false): SampleGrid {
  const sy = box.height / outH;
  const sx = box.width / outW;
  return {
    rows: { offset: box.top + 0.5 * sy - 0.5, step: sy },
    cols: { offset: box.left + 0.5 * sx - 0.5, step: sx },
    flip,
  };
}

/**
 * images: [N, H, W, C] float32; boxes: N crop boxes in pixels (inside the image).
 * Returns [N, size, size, C].
 *
 * Sample positions follow torchvision/PIL (half-pixel centres). For crops that
 * are shrunk, the result equals `resized_crop` (without PIL's antialiasing);
 * for enlarged crops, the outermost output rows/columns (within half an input
 * pixel of the crop edge) blend in the neighbouring pixel outside the crop
 * instead of repeating the crop's edge pixel, because cropAndResize samples the
 * whole image. Positions outside the image repeat the image edge.
 */
export function resizedCrop(images: Tensor4D, boxes: readonly CropBox[], options: ResizedCropOptions): Tensor4D {
  const { grids, size } = cropGrids('resizedCrop', images, boxes, options);
  return tf.tidy(() => resampleGrids(images, grids, size));
}

/** {@link resizedCrop} straight into the stacked layout. Internal; call in tidy. */
export function resizedCropStacked(images: Tensor4D, boxes: readonly CropBox[], options: ResizedCropOptions): Stacked {
  const { grids, size } = cropGrids('resizedCrop', images, boxes, options);
  return resampleGridsStacked(images, grids, size);
}

/** Checks the arguments of {@link resizedCrop}; returns every image's sampling grid. */
function cropGrids(
  fn: string,
  images: Tensor4D,
  boxes: readonly CropBox[],
  options: ResizedCropOptions,
): { grids: SampleGrid[]; size: [number, number] } {
  assertImages(fn, images);
  const [outH, outW] = toSize(fn, 'size', options.size);
  const [n, height, width] = images.shape;
  if (!Array.isArray(boxes) || boxes.length !== n) {
    throw argumentError('SHAPE_MISMATCH', fn, 'boxes', `one box per image (${n})`, String(boxes?.length));
  }
  boxes.forEach((b) => {
    const ok =
      [b.top, b.left, b.height, b.width].every(Number.isInteger) &&
      b.top >= 0 && b.left >= 0 && b.height > 0 && b.width > 0 &&
      b.top + b.height <= height && b.left + b.width <= width;
    if (!ok) throw argumentError('OUT_OF_RANGE', fn, 'boxes', `integer boxes inside ${height}x${width}`, JSON.stringify(b));
  });
  const flip = options.flip;
  if (flip !== undefined && flip.length !== n) {
    throw argumentError('SHAPE_MISMATCH', fn, 'flip', `one flag per image (${n})`, String(flip.length));
  }
  return { grids: boxes.map((b, i) => cropGrid(b, outH, outW, flip?.[i] === true)), size: [outH, outW] };
}
