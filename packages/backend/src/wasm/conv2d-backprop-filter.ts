/**
 * `Conv2DBackpropFilter` for wasm (missing from the backend).
 *
 * Two formulations, both on XNNPACK:
 * - `im2col` (the default): x transposed channel-major by the blocked heap
 *   transpose, a channel-major im2col written by one sequential JavaScript
 *   pass on the wasm heap ({@link im2colChannelMajor}), and one matmul per
 *   batch chunk, `dW[(ky,kx,ci), co] = cols[(ky,kx,ci), (n,oy,ox)] @ dy[(n,oy,ox), co]`
 *   (contraction on the inner axis of `cols` and the outer axis of `dy`, the
 *   layout XNNPACK's fully-connected path runs fast). CPU ms at 256 inputs
 *   on the build machine, im2col / conv: 31 / 103 (3->32, s1), 118 / 172
 *   (32->64, s2), 87 / 124 (64->128, s2).
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
import { im2colChannelMajor } from './im2col';
import { runInKernelScope } from './kernel-scope';
import type { KernelOps } from './kernel-scope';

/** How {@link conv2dBackpropFilterWasm} computes the filter gradient (`'auto'` = `'im2col'`). */
export type FilterGradMethod = 'auto' | 'conv' | 'im2col';

/** Largest im2col buffer (float32 elements, 128 MiB) before the batch is chunked. */
export const IM2COL_CHUNK_ELEMENTS = 1 << 25;

/**
 * Filter gradient of an NHWC conv2d (dilation 1).
 * `x: [n, h, w, cin]`, `dy: [n, oh, ow, cout]` -> `[kh, kw, cin, cout]`.
 */
export function conv2dBackpropFilterWasm(
  ops: KernelOps,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  method: FilterGradMethod = 'auto',
): TensorInfo {
  const g = convGeometry(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
  const k = g.filterHeight * g.filterWidth * g.inChannels;
  const perImage = k * g.outHeight * g.outWidth;
  if (method === 'conv') return filterGradByConv(ops, x, dy, g);
  const chunk = Math.max(1, Math.min(g.batch, Math.floor(IM2COL_CHUNK_ELEMENTS / Math.max(1, perImage))));
  let total: TensorInfo | undefined;
  for (let start = 0; start < g.batch; start += chunk) {
    const size = Math.min(chunk, g.batch - start);
    const xs = ops.slice(x, [start, 0, 0, 0], [size, g.inHeight, g.inWidth, g.inChannels]);
    const dys = ops.slice(dy, [start, 0, 0, 0], [size, g.outHeight, g.outWidth, g.outChannels]);
    const p = size * g.outHeight * g.outWidth;
    // [size*h*w, c] -> [c, size*h*w], then one sequential pass builds the k x p columns.
    const xt = ops.transpose(ops.reshape(xs, [size * g.inHeight * g.inWidth, g.inChannels]), [1, 0]);
    const cols = ops.heapCompute([xt], [k, p], ([src], dst) => im2colChannelMajor(src as Int32Array, dst, g, size, g.inChannels));
    const part = ops.matMul(ops.reshape(cols, [1, k, p]), ops.reshape(dys, [1, p, g.outChannels]));
    total = total === undefined ? part : ops.add(total, part);
  }
  return ops.reshape(total as TensorInfo, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
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
