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

/**
 * One tap of one `[h, w]` plane when output and input rows have the same
 * width (stride 1): output rows `[top, bottom)` are the contiguous source run
 * starting at `start` (the input element of output `(top, 0)`), copied at
 * once from column `lo` of row `top` to column `hi` of row `bottom - 1`; the
 * columns outside `[lo, hi)` (which the run fills with neighbouring rows'
 * pixels) and the rows outside `[top, bottom)` are then zeroed. Returns the
 * next output offset.
 */
function copyPlaneWindow(
  src: Int32Array,
  dst: Int32Array,
  o: number,
  start: number,
  oh: number,
  ow: number,
  top: number,
  bottom: number,
  lo: number,
  hi: number,
): number {
  if (bottom <= top || hi <= lo) {
    dst.fill(0, o, o + oh * ow);
    return o + oh * ow;
  }
  dst.fill(0, o, o + top * ow + lo);
  dst.set(src.subarray(start + lo, start + (bottom - 1 - top) * ow + hi), o + top * ow + lo);
  for (let y = top; y < bottom; y++) {
    const row = o + y * ow;
    for (let x = 0; x < lo; x++) dst[row + x] = 0;
    for (let x = hi; x < ow; x++) dst[row + x] = 0;
  }
  dst.fill(0, o + (bottom - 1) * ow + hi, o + oh * ow);
  return o + oh * ow;
}

/** A range of images of a channel-major source `[c, total, h, w]`. */
export interface ImageRange {
  first: number;
  count: number;
  total: number;
}

/**
 * Channel-major im2col by one JavaScript pass on the wasm heap:
 * `src = x` transposed to `[c, total, h, w]`, `dst: [kh*kw*c, count*oh*ow]`
 * with row `(ky, kx, ci)` and column `(b, oy, ox)` holding
 * `x[first + b, oy*sh + ky*dh - padTop, ox*sw + kx*dw - padLeft, ci]` (0 outside).
 * The wasm backend's strided rank-4 `Slice` (what {@link channelMajorTaps}
 * needs per tap) is a slow scalar loop; this writes each row sequentially.
 */
export function im2colChannelMajor(src: Int32Array, dst: Int32Array, g: ConvGeometry, c: number, images: ImageRange): void {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = g;
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = g;
  const { first, count, total } = images;
  // Stride 1 with output rows as wide as input rows: a tap's window of one
  // plane is one contiguous run of the source, copied at once.
  const planeCopy = sh === 1 && sw === 1 && ow === w;
  let o = 0;
  for (let ky = 0; ky < kh; ky++) {
    // Output rows whose input row is inside [0, h).
    const top = Math.min(oh, Math.max(0, Math.ceil((g.padTop - ky * dh) / sh)));
    const bottom = Math.max(top, Math.min(oh, Math.floor((h - 1 + g.padTop - ky * dh) / sh) + 1));
    for (let kx = 0; kx < kw; kx++) {
      const x0 = kx * dw - g.padLeft;
      // Output columns whose input column is inside [0, w).
      const lo = Math.min(ow, Math.max(0, Math.ceil(-x0 / sw)));
      const hi = Math.max(lo, Math.min(ow, Math.floor((w - 1 - x0) / sw) + 1));
      for (let ci = 0; ci < c; ci++) {
        for (let b = first; b < first + count; b++) {
          const plane = (ci * total + b) * h;
          if (planeCopy) {
            o = copyPlaneWindow(src, dst, o, (plane + top + ky * dh - g.padTop) * w + x0, oh, ow, top, bottom, lo, hi);
            continue;
          }
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh + ky * dh - g.padTop;
            if (iy < 0 || iy >= h) {
              dst.fill(0, o, o + ow);
              o += ow;
              continue;
            }
            const row = (plane + iy) * w + x0;
            for (let ox = 0; ox < lo; ox++) dst[o++] = 0;
            if (sw === 1 && hi - lo >= SET_MIN_RUN) {
              dst.set(src.subarray(row + lo, row + hi), o);
              o += hi - lo;
            } else {
              for (let ox = lo; ox < hi; ox++) dst[o++] = src[row + ox * sw] as number;
            }
            for (let ox = hi; ox < ow; ox++) dst[o++] = 0;
          }
        }
      }
    }
  }
}

/**
 * Batch-innermost im2col: `src = x` transposed to `[h, w, c, total]`,
 * `dst: [kh*kw*c, oh*ow*count]` with row `(ky, kx, ci)` and column
 * `(oy, ox, b)` holding `x[first + b, oy*sh + ky*dh - padTop, ox*sw + kx*dw - padLeft, ci]`
 * (0 outside). Every copy is a run of `count` contiguous images whatever the
 * stride, so small or strided feature maps (rows of 4 to 16 outputs) copy in
 * long runs. The matching dy rows are `dy[first + b, oy, ox, :]` in `(oy, ox, b)` order.
 */
export function im2colBatchInner(src: Int32Array, dst: Int32Array, g: ConvGeometry, c: number, images: ImageRange): void {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = g;
  const { filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow, inHeight: h, inWidth: w } = g;
  const { first, count, total } = images;
  const long = count >= SET_MIN_RUN;
  let o = 0;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      for (let ci = 0; ci < c; ci++) {
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh + ky * dh - g.padTop;
          if (iy < 0 || iy >= h) {
            dst.fill(0, o, o + ow * count);
            o += ow * count;
            continue;
          }
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw + kx * dw - g.padLeft;
            if (ix < 0 || ix >= w) {
              dst.fill(0, o, o + count);
              o += count;
              continue;
            }
            const s = ((iy * w + ix) * c + ci) * total + first;
            if (long) {
              dst.set(src.subarray(s, s + count), o);
              o += count;
            } else {
              for (let b = 0; b < count; b++) dst[o++] = src[s + b] as number;
            }
          }
        }
      }
    }
  }
}
