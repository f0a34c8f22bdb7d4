/**
 * `Sum` and `Mean` for wasm over non-innermost axes as one XNNPACK average
 * pooling.
 *
 * The built-in kernels first transpose the reduced axes to the end (a slow
 * scalar transpose of the whole tensor). Batch-norm statistics and their
 * gradients reduce `[n, h, w, c]` over `(n, h, w)`, global average pooling
 * over `(h, w)`: when the reduced axes are one contiguous block between `A`
 * leading and `B` trailing elements, `x` is viewed as NHWC
 * `[A, R1, R2, B]` (`R1*R2` = the reduced block, `R2` its last axis) and
 * average-pooled with a `[R1, R2]` window, a contiguous streaming reduction
 * in XNNPACK (~50x faster than the built-in path for `[256, 32, 32, 32]` over
 * `(0, 1, 2)`); the sum is the mean times `R1*R2`. Innermost reductions,
 * non-contiguous axes and non-float inputs go to the original kernels.
 */
import { Mean, Sum, backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runInKernelScope } from './kernel-scope';
import { originalKernel } from './original-kernels';

function reduceByPooling(kernel: 'Sum' | 'Mean'): KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: TensorInfo }).x;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const first = axes[0];
    const last = axes[axes.length - 1];
    const contiguous = axes.every((a, i) => a === (first as number) + i);
    if (x.dtype !== 'float32' || first === undefined || last === undefined || !contiguous || last === x.shape.length - 1) {
      return originalKernel(kernel)(args);
    }
    const outer = util.sizeFromShape(x.shape.slice(0, first));
    const r1 = util.sizeFromShape(x.shape.slice(first, last));
    const r2 = x.shape[last] as number;
    const inner = util.sizeFromShape(x.shape.slice(last + 1));
    if (r1 * r2 === 0 || outer === 0 || inner === 0) return originalKernel(kernel)(args);
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    return runInKernelScope(args.backend, (ops) => {
      const view = ops.reshape(x, [outer, r1, r2, inner]);
      const mean = ops.call('AvgPool', { x: view }, { filterSize: [r1, r2], strides: 1, pad: 'valid' });
      if (kernel === 'Mean') return ops.reshape(mean, shape);
      const count = ops.constant([], 'float32', Float32Array.of(r1 * r2));
      return ops.reshape(ops.call('Multiply', { a: mean, b: count }), shape);
    });
  };
}

/** `Sum` over leading/middle axes by average pooling; other cases use the built-in kernel. */
export const sumConfig: KernelConfig = { kernelName: Sum, backendName: 'wasm', kernelFunc: reduceByPooling('Sum') };
/** `Mean` over leading/middle axes by average pooling; other cases use the built-in kernel. */
export const meanConfig: KernelConfig = { kernelName: Mean, backendName: 'wasm', kernelFunc: reduceByPooling('Mean') };
