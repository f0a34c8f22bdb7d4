/**
 * Filter gradient as ONE XNNPACK conv2d with the batch and channel axes
 * swapped: `dW[ky, kx, ci, co] = sum_{n,oy,ox} x[n, s*oy + ky - pt, s*ox + kx - pl, ci] * dy[n, oy, ox, co]`
 * is a conv2d of `x' = [ci, h, w, n]` (batch `ci`, channels `n`) with the
 * "filter" `dy' = [oh, ow, n, co]` at dilation `s`, whose `[ci, kh, kw, co]`
 * output is the filter gradient up to a small transpose. XNNPACK reads the
 * im2col through its indirection buffer, so no im2col is materialised.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry';
import type { KernelOps } from './kernel-scope';

/** `x: [n, h, w, cin]`, `dy: [n, oh, ow, cout]` -> `[kh, kw, cin, cout]` (dilation 1). */
export function filterGradByConv(ops: KernelOps, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const { batch: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = g;
  const kh = g.filterHeight;
  const kw = g.filterWidth;
  // [n, h*w*ci] -> [h*w*ci, n] = [h*w, ci, n] -> [ci, h*w, n]
  const xt = ops.transpose(ops.reshape(x, [n, h * w * ci]), [1, 0]);
  const xc = ops.reshape(ops.transpose(ops.reshape(xt, [h * w, ci, n]), [1, 0, 2]), [ci, h, w, n]);
  // [n, oh*ow, co] -> [oh*ow, n, co]
  const f = ops.reshape(ops.transpose(ops.reshape(dy, [n, oh * ow, co]), [1, 0, 2]), [oh, ow, n, co]);
  // Output extent must be exactly kh x kw: pad after = kh + (oh-1)*sh - h - padTop (crop when negative).
  const span = (oh - 1) * g.strideHeight + 1;
  const spanW = (ow - 1) * g.strideWidth + 1;
  const xh = ops.window(xc, 1, 0, Math.min(h, kh - 1 + span - g.padTop));
  const xw = ops.window(xh, 2, 0, Math.min(w, kw - 1 + spanW - g.padLeft));
  const [, hh, ww] = xw.shape as [number, number, number, number];
  const paddings = [
    [0, 0],
    [g.padTop, kh - 1 + span - g.padTop - hh],
    [g.padLeft, kw - 1 + spanW - g.padLeft - ww],
    [0, 0],
  ];
  const out = ops.call(
    'Conv2D',
    { x: xw, filter: f },
    { strides: 1, pad: paddings, dilations: [g.strideHeight, g.strideWidth], dataFormat: 'NHWC' },
  );
  return ops.transpose(out, [1, 2, 0, 3]);
}
