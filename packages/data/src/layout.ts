/**
 * Pixel layout conversions from the official on-disk layouts to HWC.
 */

/**
 * Channel-planar, row-major (CIFAR): byte `c * H * W + y * W + x` holds pixel
 * (y, x, c). Writes `H * W * C` HWC bytes into `dst` at `dstOffset`.
 */
export function planarToHwc(
  src: Uint8Array,
  srcOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  shape: readonly [number, number, number],
): void {
  const [h, w, ch] = shape;
  const plane = h * w;
  for (let c = 0; c < ch; c++) {
    const base = srcOffset + c * plane;
    for (let p = 0; p < plane; p++) dst[dstOffset + p * ch + c] = src[base + p]!;
  }
}

/**
 * Channel-planar, column-major (STL-10, written by MATLAB): byte
 * `c * H * W + x * H + y` holds pixel (y, x, c). Writes HWC bytes into `dst`.
 */
export function columnMajorPlanarToHwc(
  src: Uint8Array,
  srcOffset: number,
  dst: Uint8Array,
  dstOffset: number,
  shape: readonly [number, number, number],
): void {
  const [h, w, ch] = shape;
  const plane = h * w;
  for (let c = 0; c < ch; c++) {
    const base = srcOffset + c * plane;
    for (let x = 0; x < w; x++) {
      const col = base + x * h;
      for (let y = 0; y < h; y++) dst[dstOffset + (y * w + x) * ch + c] = src[col + y]!;
    }
  }
}
