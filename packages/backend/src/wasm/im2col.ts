/**
 * Channel-major im2col for the filter gradients: the taps of a (strided,
 * dilated) convolution window as contiguous `[c, n, oh, ow]` blocks.
 *
 * The wasm backend's strided slice and its rank-6 transpose are slow scalar
 * loops, so strides are handled by one 2-D transpose instead: x is padded to
 * `[n, hq*sh, wq*sw, c]`, viewed as `[n*hq*sh*wq, sw*c]` and transposed to
 * `[sw*c, n*hq*sh*wq]`, i.e. `[px, c, n, hq, py, wq]`: every column phase `px`
 * and row phase `py` is then a block of contiguous rows. Tap `(ky, kx)` is a
 * rank-4 slice of the view `[sw, c*n, hq, sh*wq]` at phase
 * `(py, px) = ((ky*dh) % sh, (kx*dw) % sw)` and offset `(floor(ky*dh/sh), floor(kx*dw/sw))`.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry';
import type { KernelOps } from './kernel-scope';

/** The taps of x, row-major over `(ky, kx)`, each `[c, n*oh*ow]`. */
export function channelMajorTaps(ops: KernelOps, x: TensorInfo, g: ConvGeometry): TensorInfo[] {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = g;
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = g;
  const n = x.shape[0] as number;
  const c = x.shape[3] as number;
  const hq = Math.floor(((kh - 1) * dh) / sh) + oh;
  const wq = Math.floor(((kw - 1) * dw) / sw) + ow;
  const xh = ops.window(x, 1, g.padTop, hq * sh);
  const xp = ops.window(xh, 2, g.padLeft, wq * sw);
  const rows = ops.reshape(xp, [n * hq * sh * wq, sw * c]);
  const phases = ops.reshape(ops.transpose(rows, [1, 0]), [sw, c * n, hq, sh * wq]);
  const taps: TensorInfo[] = [];
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const py = (ky * dh) % sh;
      const px = (kx * dw) % sw;
      const begin = [px, 0, Math.floor((ky * dh) / sh), py * wq + Math.floor((kx * dw) / sw)];
      const tap = ops.slice(phases, begin, [1, c * n, oh, ow]);
      taps.push(ops.reshape(tap, [c, n * oh * ow]));
    }
  }
  return taps;
}

/** Shortest contiguous run copied with `TypedArray.set` (a subarray costs more than a short loop). */
export const SET_MIN_RUN = 24;

/** A range of images of a channel-major source `[c, total, h, w]`. */
export interface ImageRange {
  first: number;
  count: number;
  total: number;
}

/**
 * The parameters of the im2col heap passes (`im2colChannelMajorPass`,
 * `im2colBatchInnerPass` in `heap-passes.ts`) for images `images` of a
 * source with `c` channels: channel-major reads x transposed to
 * `[c, total, h, w]` and writes `[kh*kw*c, count*oh*ow]`; batch-inner reads
 * `[h, w, c, total]` and writes `[kh*kw*c, oh*ow*count]`.
 */
export function im2colParams(g: ConvGeometry, c: number, images: ImageRange): number[] {
  return [
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padLeft,
    g.outHeight,
    g.outWidth,
    g.inHeight,
    g.inWidth,
    c,
    images.first,
    images.count,
    images.total,
    SET_MIN_RUN,
  ];
}
