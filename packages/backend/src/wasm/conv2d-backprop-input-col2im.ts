/**
 * Input gradient of a strided conv2d as one XNNPACK product and a col2im:
 * `cols[(b, oy, ox), (ky, kx, ci)] = dy[(b, oy, ox), :] @ W[(ky, kx, ci), :]^T`,
 * then every column entry is added to `dx[b, oy*sh + ky - padTop, ox*sw + kx - padLeft, ci]`
 * (dropped outside the input). The product has exactly the forward conv's
 * multiply-adds; the phase decomposition (`conv2d-backprop-input.ts`) runs
 * 2.1x them for a 3x3 stride-2 conv on a 10x10 input (zero taps of the
 * column phases, and outputs over the whole padded phase grid). The col2im
 * is one JavaScript pass over the columns (`kh*kw*cin` adds per output
 * position, `1/cout` of the product's work). Images go in blocks whose
 * columns stay within {@link COL2IM_BLOCK_ELEMENTS}.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry';
import type { KernelOps } from './kernel-scope';

/** Largest column block in elements (16 MiB). */
export const COL2IM_BLOCK_ELEMENTS = 1 << 22;

/** Adds the `[count*oh*ow, kh*kw*cin]` columns of images `[first, first + count)` into `dx: [n, h, w, cin]`. */
export function col2imAdd(cols: Float32Array, dx: Float32Array, g: ConvGeometry, first: number, count: number): void {
  const { inHeight: h, inWidth: w, inChannels: cin, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = g;
  const { strideHeight: sh, strideWidth: sw, padTop, padLeft } = g;
  const k = kh * kw * cin;
  let row = 0;
  for (let b = first; b < first + count; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, row += k) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh + ky - padTop;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw + kx - padLeft;
            if (ix < 0 || ix >= w) continue;
            const d = ((b * h + iy) * w + ix) * cin;
            const c = row + (ky * kw + kx) * cin;
            for (let ci = 0; ci < cin; ci++) dx[d + ci] = (dx[d + ci] as number) + (cols[c + ci] as number);
          }
        }
      }
    }
  }
}

/**
 * `dy: [n, oh, ow, cout]`, `filter: [kh, kw, cin, cout]` -> `dx: [n, h, w, cin]`
 * (dilation 1); `blockImages` forces the images per block (tests).
 */
export function inputGradByCol2im(ops: KernelOps, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, blockImages?: number): TensorInfo {
  const { batch: n, inHeight: h, inWidth: w, inChannels: cin, outHeight: oh, outWidth: ow, outChannels: cout } = g;
  const k = g.filterHeight * g.filterWidth * cin;
  const perImage = oh * ow;
  const block = Math.max(1, Math.min(n, blockImages ?? Math.floor(COL2IM_BLOCK_ELEMENTS / (perImage * k))));
  const wt = ops.reshape(ops.transpose(ops.reshape(filter, [k, cout]), [1, 0]), [1, cout, k]);
  const dx = ops.call('Fill', {}, { shape: [n, h, w, cin], value: 0, dtype: 'float32' });
  for (let first = 0; first < n; first += block) {
    const count = Math.min(block, n - first);
    const rows =
      count === n
        ? ops.reshape(dy, [1, n * perImage, cout])
        : ops.heapCompute([dy], [1, count * perImage, cout], ([src], dst) =>
            dst.set((src as Int32Array).subarray(first * perImage * cout, (first + count) * perImage * cout)),
          );
    const cols = ops.matMul(rows, wt);
    ops.heapUpdate(dx, [cols], ([c], target) => col2imAdd(c as Float32Array, target, g, first, count));
    ops.dispose(rows);
    ops.dispose(cols);
  }
  return dx;
}
