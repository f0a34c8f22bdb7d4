/**
 * Input gradient of a strided conv2d as one XNNPACK product and a col2im:
 * `cols[(b, oy, ox), (ky, kx, ci)] = dy[(b, oy, ox), :] @ W[(ky, kx, ci), :]^T`,
 * then every column entry is added to `dx[b, oy*sh + ky - padTop, ox*sw + kx - padLeft, ci]`
 * (dropped outside the input). The product has exactly the forward conv's
 * multiply-adds; the phase decomposition (`conv2d-backprop-input.ts`) runs
 * 2.1x them for a 3x3 stride-2 conv on a 10x10 input (zero taps of the
 * column phases, and outputs over the whole padded phase grid). The col2im
 * is one JavaScript heap pass over the columns (`col2imAddPass`, `kh*kw*cin`
 * adds per output position, `1/cout` of the product's work; its channels
 * split between the heap workers on the threaded backend). Images go in blocks whose
 * columns stay within {@link COL2IM_BLOCK_ELEMENTS}.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry';
import type { KernelOps } from './kernel-scope';

/** Largest column block in elements (16 MiB). */
export const COL2IM_BLOCK_ELEMENTS = 1 << 22;

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
        : ops.heapPass('copyRange', dy, [1, count * perImage, cout], [first * perImage * cout]);
    const cols = ops.matMul(rows, wt);
    ops.heapPassInto('col2imAdd', cols, dx, [h, w, cin, oh, ow, g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, first, count]);
    ops.dispose(rows);
    ops.dispose(cols);
  }
  return dx;
}
