/**
 * Geometry shared by the composite convolution kernels: output sizes and
 * explicit paddings from tfjs's own `computeConv2DInfo`, so every kernel pads
 * exactly like the cpu reference.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import { ContrastiveError } from '@contrastive/core';

/** Padding as tfjs kernels receive it. */
export type ConvPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** The numbers a composite convolution kernel needs (NHWC). */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** Throws unless the data format is NHWC (the only layout the wasm convolutions support). */
export function assertChannelsLast(fn: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new ContrastiveError('INVALID_ARGUMENT', `${fn}: 'dataFormat' must be "NHWC" on wasm; got "${dataFormat}"`, {
      fn,
      argument: 'dataFormat',
    });
  }
}

/** Geometry of a conv2d (`depthwise` for depthwise filters `[kh, kw, cin, multiplier]`). */
export function convGeometry(
  inShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: ConvPad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise = false,
): ConvGeometry {
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    depthwise,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
