/**
 * `matmul/*`: the matrix products of contrastive losses and dense-layer
 * gradients on wasm, with @contrastive/backend's `BatchMatMul` (transposed
 * operands materialised, batches on XNNPACK's fast path) and, as
 * `.../builtin`, the wasm backend's own kernel (a scalar loop for every
 * transposed or batched product). Forward products only; torch's `matmul` on
 * the same shapes is reference/matmul.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@contrastive/core';
import { builtinWasmKernel } from '@contrastive/backend';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import type { BenchCase } from '../types';

interface Product {
  name: string;
  what: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** NT-Xent similarity (B=256, d=128), MoCo logits against a 4096 queue, a dense weight gradient, a batched product. */
const PRODUCTS: Product[] = [
  { name: 'sim-256x128-bT', what: '[256,128] @ [256,128]^T (NT-Xent similarities)', a: [256, 128], b: [256, 128], transposeA: false, transposeB: true },
  { name: 'queue-256x128-4096T', what: '[256,128] @ [4096,128]^T (logits against a queue)', a: [256, 128], b: [4096, 128], transposeA: false, transposeB: true },
  { name: 'dense-dW-aT-256x128', what: '[256,128]^T @ [256,128] (dense weight gradient)', a: [256, 128], b: [256, 128], transposeA: true, transposeB: false },
  { name: 'batched-8x128x64x128', what: '[8,128,64] @ [8,64,128] (batched)', a: [8, 128, 64], b: [8, 64, 128], transposeA: false, transposeB: false },
];

function random(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => rng.normal()), shape);
}

function productCase(p: Product, builtin: boolean): BenchCase {
  return {
    name: `matmul/${p.name}${builtin ? '/builtin' : ''}`,
    description: `${p.what}${builtin ? ', the wasm backend\'s own BatchMatMul' : ''}`,
    backends: ['wasm'],
    repeats: 9,
    warmup: 2,
    torch: { script: 'matmul.py', args: [p.name] },
    async setup() {
      const a = random(p.a, 1);
      const b = random(p.b, 2);
      const attrs = { transposeA: p.transposeA, transposeB: p.transposeB };
      const backend = tf.backend() as KernelBackend;
      const run = (): tf.Tensor => {
        if (!builtin) return tf.matMul(a, b, p.transposeA, p.transposeB);
        const info = builtinWasmKernel('BatchMatMul')({ inputs: { a, b }, backend, attrs: { ...attrs } }) as TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(info);
      };
      return {
        async run() {
          const out = run();
          await out.data();
          out.dispose();
        },
        dispose: () => tf.dispose([a, b]),
      };
    },
  };
}

export const cases: BenchCase[] = PRODUCTS.flatMap((p) => [productCase(p, false), productCase(p, true)]);
