/**
 * `Conv2DBackpropInput` for wasm from kernels XNNPACK runs fast: stride 1 as
 * one conv2d of dy with the flipped, in/out-transposed filter and exact
 * padding (`stride1InputGrad`); strided convs as one product plus a col2im
 * (`conv2d-backprop-input-col2im.ts`). CPU ms at batch 128 on the ResNet-18
 * CIFAR layers (before: the phase path for every stride / now; forward conv
 * in brackets): 64 channels 32x32 286 / 264 (258), 512 channels 4x4 498 / 295
 * (291), stride-2 3x3 64->128 203 / 179 (132), 128->256 247 / 164 (139),
 * 256->512 339 / 153 (141).
 *
 * The option `'phase'`, `sh` stride-1 XNNPACK conv2ds (one per row phase)
 * whose outputs interleave by reshape and one contiguous-row concat.
 * Sub-pixel (phase) decomposition: with stride `s`, input row `i` satisfies
 * `i + padTop = s*m + r` (`0 <= r < s`) and receives
 * `dx[i] = sum_j dy[m - j] * w[r + s*j]`, `j < J_r = ceil((k - r)/s)`: a
 * stride-1 correlation of dy (padded by `J_r - 1` before) with the flipped
 * sub-filter of phase r. Per row phase `ry`, all column phases `rx` read the
 * same dy window, so they are the output channels of one conv2d with filter
 * `W'[a, b, co, rx*cin + ci] = w[ry + sh(J_ry-1-a), rx + sw(Jw-1-b), ci, co]`
 * (zero where out of range); its output `[n, mh, mw, sw*cin]` is already
 * column-interleaved as `[n, mh, mw*sw, cin]`. Stride 1 reduces to the
 * flipped, in/out-transposed filter. Unlike zero insertion this does not
 * multiply by the `s*s`-fold inserted zeros; the wasm DepthToSpace and
 * high-rank transposes are avoided because they are slow scalar loops.
 */
import { Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { assertChannelsLast, convGeometry } from './conv-geometry';
import type { ConvGeometry, ConvPad } from './conv-geometry';
import { inputGradByCol2im } from './conv2d-backprop-input-col2im';
import { runInKernelScope } from './kernel-scope';
import type { KernelOps } from './kernel-scope';

const filterIndexCache = new Map<string, Int32Array>();

/** Rows of the flipped sub-filter of row phase `ry`: `ceil((kh - ry) / sh)`. */
function phaseRows(kh: number, sh: number, ry: number): number {
  return Math.ceil((kh - ry) / sh);
}

/**
 * Gather indices into `w.flat()` (`size(w)` for a zero) that build the row-phase-`ry` filter
 * `[Jr, Jw, cout, sw*cin]` from `w: [kh, kw, cin, cout]`.
 */
function phaseFilterIndex(shape: readonly number[], sh: number, sw: number, ry: number): Int32Array {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const key = [kh, kw, cin, cout, sh, sw, ry].join(',');
  const cached = filterIndexCache.get(key);
  if (cached !== undefined) return cached;
  const jr = phaseRows(kh, sh, ry);
  const jw = Math.ceil(kw / sw);
  const zero = kh * kw * cin * cout;
  const index = new Int32Array(jr * jw * cout * sw * cin);
  let o = 0;
  for (let a = 0; a < jr; a++) {
    const ky = ry + sh * (jr - 1 - a);
    for (let b = 0; b < jw; b++) {
      for (let co = 0; co < cout; co++) {
        for (let rx = 0; rx < sw; rx++) {
          const kx = rx + sw * (jw - 1 - b);
          for (let ci = 0; ci < cin; ci++) {
            index[o++] = kx < kw ? ((ky * kw + kx) * cin + ci) * cout + co : zero;
          }
        }
      }
    }
  }
  if (filterIndexCache.size > 256) filterIndexCache.clear();
  filterIndexCache.set(key, index);
  return index;
}

/**
 * Stride 1: one conv2d of dy with the flipped, in/out-transposed filter whose
 * explicit padding (`kh-1-padTop` before, `h-oh+padTop` after, likewise for
 * columns) yields exactly `[n, h, w, cin]`: no rows computed to be cropped
 * (the phase path computes `h+padTop` rows, 56% extra work for a 4x4 map
 * with 'same' 3x3), no crop. `undefined` when a padding would be negative.
 */
function stride1InputGrad(ops: KernelOps, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo | undefined {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const top = kh - 1 - g.padTop;
  const left = kw - 1 - g.padLeft;
  const bottom = g.inHeight - g.outHeight + g.padTop;
  const right = g.inWidth - g.outWidth + g.padLeft;
  if (Math.min(top, left, bottom, right) < 0) return undefined;
  const w = ops.gatherFlat(filter, phaseFilterIndex(filter.shape, 1, 1, 0), [kh, kw, cout, cin]);
  const paddings = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  return ops.call('Conv2D', { x: dy, filter: w }, { strides: 1, pad: paddings, dilations: 1, dataFormat: 'NHWC' });
}

/**
 * How {@link conv2dBackpropInputWasm} computes the input gradient: `'auto'`
 * runs stride 1 as one exactly padded conv and other cases as `'col2im'`
 * (`conv2d-backprop-input-col2im.ts`) or `'phase'` (the sub-pixel
 * decomposition below), whichever {@link preferCol2im} expects faster.
 */
export type InputGradMethod = 'auto' | 'col2im' | 'phase';

/** Options of {@link conv2dBackpropInputWasm}. */
export interface InputGradOptions {
  /** Default `'auto'`. */
  method?: InputGradMethod;
  /** col2im: images per block (default: columns within `COL2IM_BLOCK_ELEMENTS`). */
  blockImages?: number;
}

/**
 * Input gradient of an NHWC conv2d (dilation 1) from kernels XNNPACK runs fast.
 * `dy: [n, oh, ow, cout]`, `filter: [kh, kw, cin, cout]` -> `[n, h, w, cin]`.
 */
export function conv2dBackpropInputWasm(
  ops: KernelOps,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: readonly number[],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  options: InputGradOptions = {},
): TensorInfo {
  const g = convGeometry(inputShape, filter.shape, strides, 1, pad, dimRoundingMode);
  const method = options.method ?? 'auto';
  if (method === 'auto' && g.strideHeight === 1 && g.strideWidth === 1) {
    const exact = stride1InputGrad(ops, dy, filter, g);
    if (exact !== undefined) return exact;
  }
  const col2im = method === 'col2im' || (method === 'auto' && preferCol2im(g, filter.shape));
  return col2im ? inputGradByCol2im(ops, dy, filter, g, options.blockImages) : inputGradByPhases(ops, dy, filter, g);
}

/**
 * One col2im add (JavaScript, per output position, tap and input channel)
 * costs about as much as this many multiply-adds of an XNNPACK product
 * (measured: 2 ns against 18-20 G multiply-adds/s).
 */
export const COL2IM_ADD_MACS = 40;

/**
 * Multiply-adds of the phase decomposition over the forward conv's: zero taps
 * of the column phases and outputs over the whole phase grid (2.08 for a 3x3
 * stride-2 conv on a padded 10x10 input, 1.33 for 'same' on 16x16, 2 for 1x1 stride 2).
 */
export function phaseMacRatio(g: ConvGeometry, filterShape: readonly number[]): number {
  const [kh, kw] = filterShape as [number, number];
  const { strideHeight: sh, strideWidth: sw } = g;
  const mh = Math.ceil((g.inHeight + g.padTop) / sh);
  const mw = Math.ceil((g.inWidth + g.padLeft) / sw);
  let rows = 0;
  for (let ry = 0; ry < sh; ry++) rows += Math.max(0, phaseRows(kh, sh, ry));
  return (mh * mw * sw * Math.ceil(kw / sw) * rows) / (g.outHeight * g.outWidth * kh * kw);
}

/**
 * col2im when the phase path's extra multiply-adds, `(ratio - 1) * cout` per
 * output position, tap and input channel, cost more than the col2im's adds
 * ({@link COL2IM_ADD_MACS} each). ResNet-18's stride-2 convs (cout 128 to 512)
 * take col2im; a 32->64 stride-2 'same' conv keeps the phases (102 vs 120 ms).
 */
export function preferCol2im(g: ConvGeometry, filterShape: readonly number[]): boolean {
  return (phaseMacRatio(g, filterShape) - 1) * g.outChannels > COL2IM_ADD_MACS;
}

/** The sub-pixel (phase) decomposition described at the top of this file. */
function inputGradByPhases(ops: KernelOps, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { strideHeight: sh, strideWidth: sw, batch: n, inChannels: cin } = g;
  const [kh, kw, , cout] = filter.shape as [number, number, number, number];
  const jw = Math.ceil(kw / sw);
  const mh = Math.ceil((g.inHeight + g.padTop) / sh);
  const mw = Math.ceil((g.inWidth + g.padLeft) / sw);
  // Explicit conv padding cannot be negative: crop dy rows/cols no phase reads.
  const dyc = ops.slice(dy, [0, 0, 0, 0], [n, Math.min(g.outHeight, mh), Math.min(g.outWidth, mw), cout]);
  const [, dh, dw] = dyc.shape as [number, number, number, number];
  const rows: TensorInfo[] = [];
  for (let ry = 0; ry < sh; ry++) {
    const jr = phaseRows(kh, sh, ry);
    if (jr <= 0) {
      rows.push(ops.call('Fill', {}, { shape: [n * mh, 1, mw * sw * cin], value: 0, dtype: 'float32' }));
      continue;
    }
    const index = phaseFilterIndex(filter.shape, sh, sw, ry);
    const w = ops.gatherFlat(filter, index, [jr, jw, cout, sw * cin]);
    const paddings = [
      [0, 0],
      [jr - 1, mh - dh],
      [jw - 1, mw - dw],
      [0, 0],
    ];
    const phase = ops.call('Conv2D', { x: dyc, filter: w }, { strides: 1, pad: paddings, dilations: 1, dataFormat: 'NHWC' });
    rows.push(ops.reshape(phase, [n * mh, 1, mw * sw * cin]));
  }
  const full = ops.reshape(ops.concat(rows, 1), [n, mh * sh, mw * sw, cin]);
  return ops.slice(full, [0, g.padTop, g.padLeft, 0], [n, g.inHeight, g.inWidth, cin]);
}

const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number];
    pad: ConvPad;
    dataFormat?: string;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: number[];
  };
  assertChannelsLast('Conv2DBackpropInput', a.dataFormat);
  return runInKernelScope(backend, (ops) =>
    conv2dBackpropInputWasm(ops, dy, filter, a.inputShape, a.strides, a.pad, a.dimRoundingMode),
  );
};

/** Replaces the built-in naive-loop `Conv2DBackpropInput` of the wasm backend. */
export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc,
};
