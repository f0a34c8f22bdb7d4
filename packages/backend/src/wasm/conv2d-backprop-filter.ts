/**
 * `Conv2DBackpropFilter` for wasm (missing from the backend).
 *
 * Two formulations, both on XNNPACK, chosen by which copy is smaller:
 * - `conv`: one conv2d with batch and channel axes swapped and dilation =
 *   stride ({@link filterGradByConv}); XNNPACK's indirection buffer replaces
 *   the im2col, at the price of transposing x and dy. Faster when the im2col
 *   (`kh*kw*cin` x `n*oh*ow`) would be larger than dy (e.g. 32->64 channels,
 *   about 3x faster than im2col there).
 * - `im2col`: a channel-major im2col and one matmul per batch chunk,
 *   `dW[(ky,kx,ci), co] = cols[(ky,kx,ci), (n,oy,ox)] @ dy[(n,oy,ox), co]`
 *   (contraction on the inner axis of `cols` and the outer axis of `dy`, the
 *   layout XNNPACK's fully-connected path runs fast; transposed-operand
 *   matmuls are ~10x slower). Faster with few input channels (an RGB stem:
 *   about 2x faster than the conv path).
 */
import { Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { assertChannelsLast, convGeometry } from './conv-geometry';
import type { ConvPad } from './conv-geometry';
import { filterGradByConv } from './conv2d-backprop-filter-conv';
import { channelMajorTaps } from './im2col';
import { runInKernelScope } from './kernel-scope';
import type { KernelOps } from './kernel-scope';

/** How {@link conv2dBackpropFilterWasm} computes the filter gradient. */
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
  const dySize = g.batch * g.outHeight * g.outWidth * g.outChannels;
  // The conv path transposes dy, the im2col path materialises k x p columns:
  // pick the smaller copy (im2col wins for few input channels, e.g. an RGB stem).
  const useConv = method === 'conv' || (method === 'auto' && perImage * g.batch > dySize);
  if (useConv) return filterGradByConv(ops, x, dy, g);
  const chunk = Math.max(1, Math.min(g.batch, Math.floor(IM2COL_CHUNK_ELEMENTS / Math.max(1, perImage))));
  let total: TensorInfo | undefined;
  for (let start = 0; start < g.batch; start += chunk) {
    const size = Math.min(chunk, g.batch - start);
    const xs = ops.slice(x, [start, 0, 0, 0], [size, g.inHeight, g.inWidth, g.inChannels]);
    const dys = ops.slice(dy, [start, 0, 0, 0], [size, g.outHeight, g.outWidth, g.outChannels]);
    const p = size * g.outHeight * g.outWidth;
    const cols = ops.concat(channelMajorTaps(ops, xs, g), 0);
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
