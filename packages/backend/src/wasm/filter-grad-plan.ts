/**
 * How the im2col filter gradient (`conv2d-backprop-filter.ts`) cuts its
 * reduction into blocks of whole images and lays out each block's im2col.
 *
 * Measured on ResNet-18 CIFAR layers at batch 128 (CPU ms per filter
 * gradient on the loaded build machine; the forward conv of the same layer in
 * brackets): the whole-batch channel-major im2col before / blocked now,
 * 64 channels 32x32 580 / 353 (278), 128 channels 16x16 405 / 376 (261),
 * 256 channels 8x8 326 / 292 (279), 512 channels 4x4 312 / 281 (297),
 * stride 2 64->128 263 / 215 (136), the RGB stem 144 / 47 (15).
 */
import type { ConvGeometry } from './conv-geometry';
import { SET_MIN_RUN } from './im2col';

/**
 * `'channel-rows'`: columns `(b, oy, ox)`, copied one output row at a time
 * (contiguous for stride 1); `'batch-inner'`: columns `(oy, ox, b)`, copied
 * one run of the block's images at a time (any stride).
 */
export type Im2colLayout = 'channel-rows' | 'batch-inner';

/**
 * Bytes of the `[columns, cout]` dy block that one channel-rows product
 * reads per output panel: the reduction is cut into blocks of about
 * `FILTER_GRAD_BLOCK_BYTES / (4 * cout)` columns so that XNNPACK's packed
 * right-hand side stays in the L2 cache (its GEMM does not block the
 * reduction axis itself). 64 channels 32x32 at batch 128: 640 ms as one
 * block, 373 ms in blocks of 1024 columns.
 */
export const FILTER_GRAD_BLOCK_BYTES = 1 << 18;

/**
 * Smallest channel-rows product per block (multiply-adds): smaller ones (few
 * input channels, e.g. an RGB stem) pay more for their XNNPACK operator and
 * the accumulation than the cache blocking saves.
 */
export const FILTER_GRAD_MIN_BLOCK_MACS = 1 << 24;

/** Images per batch-inner block (the copy runs); 16 was 1.5-3x slower, 128 no faster. */
export const BATCH_INNER_IMAGES = 64;

/** Largest im2col block in elements (64 MiB). */
export const MAX_BLOCK_ELEMENTS = 1 << 24;

/**
 * Smallest `oh*ow` for which a stride-1 conv whose output rows are as wide as
 * its input rows copies whole planes (channel rows); below it runs of images
 * are faster (ResNet-18 at batch 128, JS ms per im2col: 32x32 15 vs 55,
 * 16x16 16 vs 26, 8x8 50 vs 21, 4x4 43 vs 16).
 */
export const PLANE_COPY_MIN = 128;

/**
 * Channel rows when a tap of a plane is one contiguous run (stride 1, output
 * rows as wide as input rows, at least {@link PLANE_COPY_MIN} outputs) or
 * output rows are stride-1 runs of at least `SET_MIN_RUN`; batch-inner
 * otherwise (strided or short rows).
 */
export function chooseLayout(g: ConvGeometry): Im2colLayout {
  const unit = g.strideHeight === 1 && g.strideWidth === 1;
  if (unit && g.outWidth === g.inWidth && g.outHeight * g.outWidth >= PLANE_COPY_MIN) return 'channel-rows';
  return g.strideWidth === 1 && g.outWidth >= SET_MIN_RUN ? 'channel-rows' : 'batch-inner';
}

/**
 * Images per im2col block, at least one and at most the batch: `blockColumns`
 * rounded to whole images of `columnsPerImage = oh*ow` when given; else for
 * `'channel-rows'` about `FILTER_GRAD_BLOCK_BYTES / (4 * cout)` columns (at
 * least 256 and `FILTER_GRAD_MIN_BLOCK_MACS / (rows * cout)`), for
 * `'batch-inner'` {@link BATCH_INNER_IMAGES}; both within {@link MAX_BLOCK_ELEMENTS}
 * (`rows = kh*kw*cin`).
 */
export function imagesPerBlock(
  batch: number,
  columnsPerImage: number,
  outChannels: number,
  rows: number,
  layout: Im2colLayout,
  blockColumns?: number,
): number {
  const perImage = Math.max(1, columnsPerImage);
  const fit = Math.floor(MAX_BLOCK_ELEMENTS / (rows * perImage));
  let images: number;
  if (blockColumns !== undefined) {
    images = Math.round(blockColumns / perImage);
  } else if (layout === 'batch-inner') {
    images = Math.min(BATCH_INNER_IMAGES, fit);
  } else {
    const cached = Math.round(FILTER_GRAD_BLOCK_BYTES / (4 * outChannels));
    const target = Math.max(256, cached, Math.ceil(FILTER_GRAD_MIN_BLOCK_MACS / (rows * outChannels)));
    images = Math.min(Math.round(target / perImage), fit);
  }
  return Math.max(1, Math.min(batch, images));
}
