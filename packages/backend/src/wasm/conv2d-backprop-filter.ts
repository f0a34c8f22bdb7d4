/**
 * `Conv2DBackpropFilter` for wasm (missing from the backend).
 *
 * Two formulations, both on XNNPACK:
 * - `im2col` (the default): x transposed by the blocked heap transpose, then
 *   per block of images an im2col written by a JavaScript heap pass
 *   (`heap-passes.ts`, split between the heap workers on the threaded
 *   backend; layout and block size in
 *   `filter-grad-plan.ts`) and one product `dW[(ky,kx,ci), co] += cols[(ky,kx,ci), (b,oy,ox)] @ dy[(b,oy,ox), co]`
 *   (contraction on the inner axis of `cols` and the outer axis of `dy`, the
 *   layout XNNPACK's fully-connected path runs fast). Blocking the reduction
 *   keeps XNNPACK's packed dy panel in cache and bounds the im2col buffer
 *   (one [kh*kw*cin, n*oh*ow] im2col of ResNet-18's first stage at batch 128
 *   would be 302 MB).
 * - `conv`: one conv2d with batch and channel axes swapped and dilation =
 *   stride ({@link filterGradByConv}); XNNPACK's indirection buffer replaces
 *   the im2col, at the price of transposing x and dy and of a conv whose
 *   reduction axis (`oh*ow*n`) XNNPACK does not block. Kept as an option and
 *   as an independent check of the im2col path in the tests.
 */
import { Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { assertChannelsLast, convGeometry } from './conv-geometry';
import type { ConvPad } from './conv-geometry';
import { filterGradByConv } from './conv2d-backprop-filter-conv';
import { chooseLayout, imagesPerBlock } from './filter-grad-plan';
import type { Im2colLayout } from './filter-grad-plan';
import { im2colParams } from './im2col';
import { runInKernelScope } from './kernel-scope';
import type { KernelOps } from './kernel-scope';

/** How {@link conv2dBackpropFilterWasm} computes the filter gradient (`'auto'` = `'im2col'`). */
export type FilterGradMethod = 'auto' | 'conv' | 'im2col';

/** Options of {@link conv2dBackpropFilterWasm}. */
export interface FilterGradOptions {
  /** Default `'auto'` (the im2col path). */
  method?: FilterGradMethod;
  /** im2col layout; default {@link chooseLayout}. */
  layout?: Im2colLayout;
  /**
   * Reduction columns (`images * oh * ow`) per im2col product, rounded to
   * whole images (at least one); default {@link imagesPerBlock}. Bounds the
   * im2col buffer to `kh*kw*cin` times this.
   */
  blockColumns?: number;
}

/**
 * Filter gradient of an NHWC conv2d (dilation 1).
 * `x: [n, h, w, cin]`, `dy: [n, oh, ow, cout]` -> `[kh, kw, cin, cout]`.
 *
 * The im2col path transposes x once (to `[cin, n, h, w]` for channel-rows,
 * `[h, w, cin, n]` for batch-inner); then, for each block of images, it
 * writes the block's `[kh*kw*cin, columns]` im2col, copies the block's dy
 * rows in the same column order and adds one XNNPACK product to the running
 * sum, freeing both buffers before the next block.
 */
export function conv2dBackpropFilterWasm(
  ops: KernelOps,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  options: FilterGradOptions = {},
): TensorInfo {
  const g = convGeometry(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
  if (options.method === 'conv') return filterGradByConv(ops, x, dy, g);
  const { batch: n, inChannels: cin, outChannels: cout } = g;
  const k = g.filterHeight * g.filterWidth * cin;
  const perImage = g.outHeight * g.outWidth;
  const layout = options.layout ?? chooseLayout(g);
  const block = imagesPerBlock(n, perImage, cout, k, layout, options.blockColumns);
  const pixels = g.inHeight * g.inWidth;
  // channel-rows: [n*h*w, cin] -> [cin, n*h*w]; batch-inner: [n, h*w*cin] -> [h*w*cin, n].
  const xt =
    layout === 'channel-rows'
      ? ops.transpose(ops.reshape(x, [n * pixels, cin]), [1, 0])
      : ops.transpose(ops.reshape(x, [n, pixels * cin]), [1, 0]);
  const im2col = layout === 'channel-rows' ? 'im2colChannelMajor' : 'im2colBatchInner';
  let total: TensorInfo | undefined;
  for (let first = 0; first < n; first += block) {
    const count = Math.min(block, n - first);
    const p = count * perImage;
    const images = { first, count, total: n };
    const cols = ops.heapPass(im2col, xt, [1, k, p], im2colParams(g, cin, images));
    // The block's dy rows [count*oh*ow, cout] in the column order of the layout.
    const rows = ops.heapPass('dyRows', dy, [1, p, cout], [layout === 'batch-inner' ? 1 : 0, first, count, perImage, cout]);
    const part = ops.matMul(cols, rows);
    ops.dispose(cols);
    ops.dispose(rows);
    if (total === undefined) {
      total = part;
    } else {
      const sum = ops.add(total, part);
      ops.dispose(total);
      ops.dispose(part);
      total = sum;
    }
  }
  return ops.reshape(total as TensorInfo, [g.filterHeight, g.filterWidth, cin, cout]);
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number];
    pad: ConvPad;
    dataFormat?: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: number[];
  };
  assertChannelsLast('Conv2DBackpropFilter', a.dataFormat);
  return runInKernelScope(backend, (ops) =>
    conv2dBackpropFilterWasm(ops, x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode),
  );
};

/** The wasm backend has no `Conv2DBackpropFilter`; this one runs on XNNPACK's matmul. */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc,
};
