/**
 * `DepthwiseConv2dNativeBackpropInput` for wasm (missing from the backend):
 * zero insertion of dy (stride `s`, by rank-4 pads) and one stride-1 XNNPACK
 * depthwise conv with the spatially flipped filter at the forward dilation.
 * Depthwise convolutions are memory-bound, so the zero-insertion FLOPs cost
 * little; channel multipliers > 1 sum their `m` partial gradients.
 */
import { DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { assertChannelsLast, convGeometry } from './conv-geometry';
import type { ConvPad } from './conv-geometry';
import { runInKernelScope } from './kernel-scope';
import type { KernelOps } from './kernel-scope';

/** `[n, oh, ow, c]` -> `[n, oh*sh, ow*sw, c]` with `s-1` zeros after every element. */
export function insertZeros(ops: KernelOps, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, oh, ow, c] = dy.shape as [number, number, number, number];
  let z = dy;
  if (sw > 1) {
    const cols = ops.pad(ops.reshape(z, [n * oh, ow, 1, c]), [[0, 0], [0, 0], [0, sw - 1], [0, 0]]);
    z = ops.reshape(cols, [n, oh, ow * sw, c]);
  }
  if (sh > 1) {
    const rows = ops.pad(ops.reshape(z, [n, oh, 1, ow * sw * c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0]]);
    z = ops.reshape(rows, [n, oh * sh, ow * sw, c]);
  }
  return z;
}

/** `dy: [n, oh, ow, c*m]`, `filter: [kh, kw, c, m]` -> `[n, h, w, c]`. */
export function depthwiseBackpropInputWasm(
  ops: KernelOps,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: ConvPad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): TensorInfo {
  const g = convGeometry(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode, true);
  const [kh, kw, c, m] = filter.shape as [number, number, number, number];
  const { batch: n, inHeight: h, inWidth: w } = g;
  const z = insertZeros(ops, dy, g.strideHeight, g.strideWidth);
  const spanH = (kh - 1) * g.dilationHeight;
  const spanW = (kw - 1) * g.dilationWidth;
  const zh = ops.window(z, 1, spanH - g.padTop, h + spanH);
  const zw = ops.window(zh, 2, spanW - g.padLeft, w + spanW);
  const flipped = ops.reshape(ops.call('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, c * m, 1]);
  const dx = ops.call(
    'DepthwiseConv2dNative',
    { x: zw, filter: flipped },
    { strides: 1, pad: 'valid', dilations: [g.dilationHeight, g.dilationWidth], dataFormat: 'NHWC' },
  );
  if (m === 1) return dx;
  return ops.sum(ops.reshape(dx, [n, h, w, c, m]), [4]);
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number];
    dilations: number | [number, number];
    pad: ConvPad;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: number[];
    dataFormat?: string;
  };
  assertChannelsLast('DepthwiseConv2dNativeBackpropInput', a.dataFormat);
  return runInKernelScope(backend, (ops) =>
    depthwiseBackpropInputWasm(ops, dy, filter, a.inputShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode),
  );
};

/** Input gradient of a depthwise conv2d on wasm. */
export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc,
};
