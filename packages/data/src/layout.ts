/**
 * Pixel layout conversions from the official on-disk layouts to HWC. Each
 * takes one image's bytes and writes its HWC bytes into `dst` (same length).
 */
import type { ImageShape } from './types';

/**
 * Channel-planar, row-major (CIFAR): byte `c*H*W + y*W + x` of `src` holds
 * pixel (y, x, c); written to `dst[(y*W + x)*C + c]`.
 */
export function planarToHwc(src: Uint8Array, dst: Uint8Array, shape: ImageShape): void {
  const [h, w, ch] = shape;
  const plane = h * w;
  for (let c = 0; c < ch; c++) {
    const base = c * plane;
    for (let p = 0; p < plane; p++) dst[p * ch + c] = src[base + p]!;
  }
}

/**
 * Channel-planar, column-major (STL-10, written by MATLAB): byte
 * `c*H*W + x*H + y` of `src` holds pixel (y, x, c); written to
 * `dst[(y*W + x)*C + c]`.
 */
export function columnMajorPlanarToHwc(src: Uint8Array, dst: Uint8Array, shape: ImageShape): void {
  const [h, w, ch] = shape;
  const plane = h * w;
  for (let c = 0; c < ch; c++) {
    const base = c * plane;
    for (let x = 0; x < w; x++) {
      const col = base + x * h;
      for (let y = 0; y < h; y++) dst[(y * w + x) * ch + c] = src[col + y]!;
    }
  }
}
