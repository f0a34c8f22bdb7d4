/**
 * `DepthwiseConv2dNativeBackpropFilter` for wasm (missing from the backend):
 * a channel-major im2col (see `im2col.ts`) and one batched XNNPACK matmul
 * over channels, `dW[c, tap, m] = cols[c, tap, p] @ dy[c, p, m]` with
 * `p = (n, oy, ox)`; strides and dilations both go through the phase split.
 */
import { DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { assertChannelsLast, convGeometry } from './conv-geometry';
import type { ConvPad } from './conv-geometry';
import { channelMajorTaps } from './im2col';
import { runInKernelScope } from './kernel-scope';
import type { KernelOps } from './kernel-scope';

/** `x: [n, h, w, c]`, `dy: [n, oh, ow, c*m]` -> `[kh, kw, c, m]`. */
export function depthwiseBackpropFilterWasm(
  ops: KernelOps,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: ConvPad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): TensorInfo {
  const g = convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, true);
  const [kh, kw, c, m] = filterShape as [number, number, number, number];
  const p = g.batch * g.outHeight * g.outWidth;
  const taps = channelMajorTaps(ops, x, g).map((t) => ops.reshape(t, [c, 1, p]));
  const cols = ops.concat(taps, 1);
  const dyc = ops.transpose(ops.reshape(dy, [p, c, m]), [1, 0, 2]);
  const grad = ops.matMul(cols, dyc);
  return ops.reshape(ops.transpose(grad, [1, 0, 2]), [kh, kw, c, m]);
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number];
    dilations: number | [number, number];
    pad: ConvPad;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: number[];
    dataFormat?: string;
  };
  assertChannelsLast('DepthwiseConv2dNativeBackpropFilter', a.dataFormat);
  return runInKernelScope(backend, (ops) =>
    depthwiseBackpropFilterWasm(ops, x, dy, a.filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode),
  );
};

/** Filter gradient of a depthwise conv2d on wasm. */
export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc,
};
