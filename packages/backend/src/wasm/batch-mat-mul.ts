/**
 * `BatchMatMul` and `_FusedMatMul` for wasm that keep every product on
 * XNNPACK's fast path.
 *
 * The wasm backend runs XNNPACK's fully-connected operator only for one
 * un-transposed `[m, k] @ [k, n]`; `transposeA`, `transposeB` or a batch
 * above 1 fall to a scalar loop, 7-30x slower (20 ms instead of 0.8 ms for
 * `256x128 @ (256x128)^T`; every dense-layer and similarity-matrix gradient
 * has a transposed operand). Here a transposed operand is materialised by the
 * blocked heap transpose of `Transpose` (see `transpose-swap.ts`), a batched
 * `a` against an un-batched `b` becomes one `[batch*m, k] @ [k, n]`, and
 * other batches run one fast product per batch entry, concatenated (when
 * each entry is large enough to pay for its XNNPACK operator).
 * Non-float32 inputs, batch broadcasting beyond "one side is 1", and a fused
 * bias or PReLU weight that would not survive the reshape use the built-in
 * kernel.
 */
import { BatchMatMul, _FusedMatMul, backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { runInKernelScope } from './kernel-scope';
import type { KernelOps } from './kernel-scope';
import { originalKernel } from './original-kernels';

/**
 * Smallest per-entry product (`m*k*n` multiply-adds) for which a batch runs as
 * one fast product per entry: below it the per-call cost of creating an
 * XNNPACK operator (~0.1 ms) exceeds the built-in loop's time (measured:
 * 8 x 64x32x64 is 2.7x slower per entry, 8 x 64x64x64 already 1.4x faster).
 */
export const BATCH_LOOP_MIN_MACS = 1 << 18;

interface MatMulPlan {
  outShape: number[];
  batchA: number;
  batchB: number;
  m: number;
  k: number;
  n: number;
}

function plan(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): MatMulPlan | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[transposeA ? ra - 1 : ra - 2] as number;
  const k = a.shape[transposeA ? ra - 2 : ra - 1] as number;
  const kb = b.shape[transposeB ? rb - 1 : rb - 2] as number;
  const n = b.shape[transposeB ? rb - 2 : rb - 1] as number;
  if (k !== kb) return undefined;
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  if (m * k * n === 0) return undefined;
  const outer = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  // A broadcast that is not "one side has a single matrix" (e.g. [2, 1] x [1, 3]).
  if (batchA === batchB && util.sizeFromShape(outer) !== batchA) return undefined;
  return { outShape: [...outer, m, n], batchA, batchB, m, k, n };
}

/** `x` as `[batch, rows, cols]` with the last two axes swapped when `transpose`. */
function asRank3(ops: KernelOps, x: TensorInfo, batch: number, transpose: boolean): TensorInfo {
  const r = x.shape[x.shape.length - 2] as number;
  const c = x.shape[x.shape.length - 1] as number;
  const x3 = ops.reshape(x, [batch, r, c]);
  return transpose ? ops.transpose(x3, [0, 2, 1]) : x3;
}

/**
 * `a @ b` with `a: [batchA, m, k]`, `b: [batchB, k, n]` (no transposes) as
 * fast single products; `product` runs one `[1, m', k] @ [1, k, n]`.
 */
function batchedProduct(
  ops: KernelOps,
  a: TensorInfo,
  b: TensorInfo,
  p: MatMulPlan,
  product: (x: TensorInfo, y: TensorInfo) => TensorInfo,
): TensorInfo {
  const { batchA, batchB, m, k, n } = p;
  if (batchB === 1) return ops.reshape(product(ops.reshape(a, [1, batchA * m, k]), b), p.outShape);
  const parts: TensorInfo[] = [];
  for (let i = 0; i < batchB; i++) {
    const ai = batchA === 1 ? a : ops.slice(a, [i, 0, 0], [1, m, k]);
    parts.push(product(ai, ops.slice(b, [i, 0, 0], [1, k, n])));
  }
  return ops.reshape(ops.concat(parts, 0), p.outShape);
}

const batchMatMul: KernelFunc = (args) => {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const p = plan(a, b, transposeA, transposeB);
  const simple = !transposeA && !transposeB && (p?.batchA ?? 1) === 1 && (p?.batchB ?? 1) === 1;
  const tinyBatch = p !== undefined && p.batchB > 1 && p.m * p.k * p.n < BATCH_LOOP_MIN_MACS;
  if (p === undefined || simple || tinyBatch) return originalKernel(BatchMatMul)(args);
  return runInKernelScope(args.backend, (ops) =>
    batchedProduct(ops, asRank3(ops, a, p.batchA, transposeA), asRank3(ops, b, p.batchB, transposeB), p, (x, y) =>
      ops.matMul(x, y),
    ),
  );
};

const fusedMatMul: KernelFunc = (args) => {
  const { a, b, bias, preluActivationWeights } = args.inputs as {
    a: TensorInfo;
    b: TensorInfo;
    bias?: TensorInfo;
    preluActivationWeights?: TensorInfo;
  };
  const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const p = plan(a, b, attrs.transposeA, attrs.transposeB);
  const simple = !attrs.transposeA && !attrs.transposeB && (p?.batchA ?? 1) === 1 && (p?.batchB ?? 1) === 1;
  // Bias and PReLU weights broadcast against [..., m, n]; per-row ones do not survive stacking batches into rows.
  const rowFree = (t: TensorInfo | undefined): boolean =>
    t === undefined || util.sizeFromShape(t.shape) === 1 || (p !== undefined && util.sizeFromShape(t.shape) === p.n && t.shape[t.shape.length - 1] === p.n);
  const stackable = p !== undefined && (p.batchA === 1 || (rowFree(bias) && rowFree(preluActivationWeights)));
  if (p === undefined || simple || !stackable || (p.batchA > 1 && p.batchB > 1) || (p.batchA === 1 && p.batchB > 1)) {
    return originalKernel(_FusedMatMul)(args);
  }
  return runInKernelScope(args.backend, (ops) => {
    const a3 = asRank3(ops, a, p.batchA, attrs.transposeA);
    const b3 = asRank3(ops, b, 1, attrs.transposeB);
    const inputs: NamedTensorInfoMap = { a: ops.reshape(a3, [1, p.batchA * p.m, p.k]), b: b3 };
    if (bias !== undefined) inputs.bias = bias;
    if (preluActivationWeights !== undefined) inputs.preluActivationWeights = preluActivationWeights;
    const out = ops.call(_FusedMatMul, inputs, { ...args.attrs, transposeA: false, transposeB: false });
    return ops.reshape(out, p.outShape);
  });
};

/** `BatchMatMul` on wasm with transposed operands and batches on XNNPACK's fast path. */
export const batchMatMulConfig: KernelConfig = { kernelName: BatchMatMul, backendName: 'wasm', kernelFunc: batchMatMul };

/** `_FusedMatMul` on wasm with transposed operands (and a batched `a`) on XNNPACK's fast path. */
export const fusedMatMulConfig: KernelConfig = { kernelName: _FusedMatMul, backendName: 'wasm', kernelFunc: fusedMatMul };
