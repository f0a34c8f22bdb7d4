/**
 * Bilinear resampling of every image of a batch on its own axis-aligned grid:
 * the `ContrastiveResampleGrids` kernel where the active backend has it
 * (`@contrastive/backend` registers it for wasm and cpu: one JavaScript pass,
 * optionally straight into the stacked layout), else one `cropAndResize`
 * call (a kernel on every backend, so webgl and tensorflow run it on the device).
 *
 * Output row `y` samples source row `offset + y * step` (torchvision / PIL
 * half-pixel convention), clamped to the image (positions outside
 * `[0, H-1]` take the edge pixel, as torch's `interpolate(align_corners=False)`
 * does). The image is edge-padded by one pixel only when some position needs it.
 * Internal; call inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';
import { RESAMPLE_GRIDS_KERNEL, type ResampleGridsAttrs } from '@contrastive/core';
import { edgePadded } from './edge-pad';
import { toStacked, type Stacked } from './stacked';

/** Sample positions along one axis: `offset + i * step`, i = 0..size-1. */
export interface AxisGrid {
  offset: number;
  step: number;
}

export interface SampleGrid {
  rows: AxisGrid;
  cols: AxisGrid;
  /** Reverse the column order (horizontal flip). */
  flip?: boolean;
}

const EDGE_MARGIN = 1e-3;

/** The kernel's output, or `undefined` when the active backend does not have it. */
function viaKernel(images: Tensor4D, grids: readonly SampleGrid[], size: readonly [number, number], layout: ResampleGridsAttrs['layout']): Tensor | undefined {
  if (tf.getKernel(RESAMPLE_GRIDS_KERNEL, tf.getBackend()) === undefined) return undefined;
  const attrs: ResampleGridsAttrs = {
    grids: grids.flatMap((g) => [g.rows.offset, g.rows.step, g.cols.offset, g.cols.step, g.flip === true ? 1 : 0]),
    size: [size[0], size[1]],
    layout,
  };
  return tf.engine().runKernel(RESAMPLE_GRIDS_KERNEL, { images }, attrs as unknown as NamedAttrMap) as Tensor;
}

/** images [N, H, W, C] resampled to [N, size[0], size[1], C]. */
export function resampleGrids(
  images: Tensor4D,
  grids: readonly SampleGrid[],
  size: readonly [number, number],
): Tensor4D {
  return (viaKernel(images, grids, size, 'nhwc') as Tensor4D | undefined) ?? resampleByCropAndResize(images, grids, size);
}

/** {@link resampleGrids} into the stacked layout (no transpose where the kernel exists). */
export function resampleGridsStacked(images: Tensor4D, grids: readonly SampleGrid[], size: readonly [number, number]): Stacked {
  const data = viaKernel(images, grids, size, 'stacked') as Tensor3D | undefined;
  if (data === undefined) return toStacked(resampleByCropAndResize(images, grids, size));
  return { data, n: images.shape[0], h: size[0], w: size[1], c: images.shape[3] };
}

function resampleByCropAndResize(
  images: Tensor4D,
  grids: readonly SampleGrid[],
  size: readonly [number, number],
): Tensor4D {
  const [, height, width] = images.shape;
  const [outH, outW] = size;
  const lastRow = (g: AxisGrid, n: number): number => g.offset + (n - 1) * g.step;
  const outside = (g: AxisGrid, n: number, limit: number): boolean => {
    const a = Math.min(g.offset, lastRow(g, n));
    const b = Math.max(g.offset, lastRow(g, n));
    // A margin keeps float32 rounding inside cropAndResize from pushing an edge
    // sample past the last pixel (which it would fill with the extrapolation value).
    return a < EDGE_MARGIN || b > limit - 1 - EDGE_MARGIN;
  };
  const pad =
    height < 2 ||
    width < 2 ||
    grids.some((g) => outside(g.rows, outH, height) || outside(g.cols, outW, width));
  const source = pad ? edgePadded(images) : images;
  const shift = pad ? 1 : 0;
  const spanH = height + 2 * shift - 1;
  const spanW = width + 2 * shift - 1;
  const boxes = new Float32Array(grids.length * 4);
  grids.forEach((g, i) => {
    // cropAndResize samples y1*(H-1) + y*(y2-y1)*(H-1)/(outH-1); for outH = 1
    // it samples the box centre, which equals `offset` when y2 = y1.
    const y1 = g.rows.offset + shift;
    const y2 = outH > 1 ? lastRow(g.rows, outH) + shift : y1;
    let x1 = g.cols.offset + shift;
    let x2 = outW > 1 ? lastRow(g.cols, outW) + shift : x1;
    if (g.flip === true) [x1, x2] = [x2, x1];
    boxes[i * 4] = y1 / spanH;
    boxes[i * 4 + 1] = x1 / spanW;
    boxes[i * 4 + 2] = y2 / spanH;
    boxes[i * 4 + 3] = x2 / spanW;
  });
  const boxIndices = tf.tensor1d(Int32Array.from(grids, (_, i) => i), 'int32');
  return tf.image.cropAndResize(source, tf.tensor2d(boxes, [grids.length, 4]), boxIndices, [outH, outW], 'bilinear');
}
