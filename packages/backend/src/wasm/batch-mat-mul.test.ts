import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectParity } from './parity-helpers.test-utils';
import { BATCH_LOOP_MIN_MACS } from './batch-mat-mul';
import { asMiddleSwap, swapMiddleAxes } from './swap-axes';

/** Shape of an operand with `rows x cols` (before the optional transpose) and leading batch axes. */
function operand(batch: number[], rows: number, cols: number, transpose: boolean): number[] {
  return [...batch, ...(transpose ? [cols, rows] : [rows, cols])];
}

describe('BatchMatMul and _FusedMatMul on wasm match cpu', () => {
  const batches: Array<[number[], number[]]> = [
    [[], []],
    [[1], [1]],
    [[3], [3]],
    [[3], []],
    [[], [4]],
    [[2, 3], [2, 3]],
    [[2, 3], [1, 1]],
  ];
  for (const [ba, bb] of batches) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`batch ${JSON.stringify(ba)} x ${JSON.stringify(bb)}, transposeA=${transposeA}, transposeB=${transposeB}: forward${JSON.stringify(ba) === JSON.stringify(bb) ? ' and gradient' : ''}`, async () => {
          const [m, k, n] = [7, 5, 9];
          await expectParity(
            { a: { shape: operand(ba, m, k, transposeA), seed: 1 }, b: { shape: operand(bb, k, n, transposeB), seed: 2 } },
            ({ a, b }) => {
              const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x, y, transposeA, transposeB);
              const w = tf.randomNormal(f(a as tf.Tensor, b as tf.Tensor).shape, 0, 1, 'float32', 3);
              // tfjs-core's BatchMatMul gradient does not reduce broadcast batch axes: gradients for equal batches only.
              if (JSON.stringify(ba) !== JSON.stringify(bb)) return [f(a as tf.Tensor, b as tf.Tensor)];
              const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), w)))([a as tf.Tensor, b as tf.Tensor]);
              return [f(a as tf.Tensor, b as tf.Tensor), da as tf.Tensor, db as tf.Tensor];
            },
          );
        });
      }
    }
  }

  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`fused matMul with bias and relu, transposeA=${transposeA}, transposeB=${transposeB}, batch 1 and 3`, async () => {
        await expectParity(
          {
            a: { shape: operand([], 6, 11, transposeA), seed: 4 },
            a3: { shape: operand([3], 6, 11, transposeA), seed: 5 },
            b: { shape: operand([], 11, 13, transposeB), seed: 6 },
            bias: { shape: [13], seed: 7 },
          },
          ({ a, a3, b, bias }) => {
            const fused = (x: tf.Tensor, y: tf.Tensor, c: tf.Tensor): tf.Tensor =>
              tf.fused.matMul({ a: x, b: y, transposeA, transposeB, bias: c, activation: 'relu' });
            const [da, db, dc] = tf.grads((x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(fused(x, y, c))))([
              a as tf.Tensor,
              b as tf.Tensor,
              bias as tf.Tensor,
            ]);
            return [
              fused(a as tf.Tensor, b as tf.Tensor, bias as tf.Tensor),
              fused(a3 as tf.Tensor, b as tf.Tensor, bias as tf.Tensor),
              da as tf.Tensor,
              db as tf.Tensor,
              dc as tf.Tensor,
            ];
          },
        );
      });
    }
  }

  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`entries above BATCH_LOOP_MIN_MACS (one product per entry), transposeA=${transposeA}, transposeB=${transposeB}`, async () => {
        const [m, k, n] = [67, 65, 61];
        expect(m * k * n).toBeGreaterThanOrEqual(BATCH_LOOP_MIN_MACS);
        await expectParity(
          { a: { shape: operand([2], m, k, transposeA), seed: 14 }, b: { shape: operand([2], k, n, transposeB), seed: 15 } },
          ({ a, b }) => {
            const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.matMul(x, y, transposeA, transposeB);
            const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(f(x, y))))([a as tf.Tensor, b as tf.Tensor]);
            return [f(a as tf.Tensor, b as tf.Tensor), da as tf.Tensor, db as tf.Tensor];
          },
          { atol: 2e-3, rtol: 1e-4 },
        );
      });
    }
  }

  it('larger odd sizes (one fast product) and vector-matrix products', async () => {
    await expectParity(
      { a: { shape: [67, 129], seed: 9 }, b: { shape: [33, 129], seed: 10 }, v: { shape: [1, 67], seed: 11 } },
      ({ a, b, v }) => [
        tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true),
        tf.matMul(b as tf.Tensor2D, a as tf.Tensor2D, false, true),
        tf.matMul(v as tf.Tensor2D, a as tf.Tensor2D),
        tf.matMul(a as tf.Tensor2D, v as tf.Tensor2D, true, true),
      ],
      { atol: 1e-3, rtol: 1e-4 },
    );
  });
});

describe('Transpose (axis-group swaps) on wasm matches cpu', () => {
  const cases: Array<[number[], number[]]> = [
    [[37, 53], [1, 0]],
    [[3, 17, 33], [0, 2, 1]],
    [[5, 6, 7], [1, 0, 2]],
    [[2, 3, 4, 5], [0, 2, 1, 3]],
    [[2, 3, 4, 5], [1, 2, 0, 3]],
    [[2, 1, 4, 5], [3, 1, 0, 2]],
    [[2, 3, 4, 5], [3, 2, 1, 0]],
    [[1, 1, 4], [2, 0, 1]],
    [[6, 4], [0, 1]],
  ];
  for (const [shape, perm] of cases) {
    it(`perm ${JSON.stringify(perm)} of ${JSON.stringify(shape)}: forward and gradient, float32 and int32`, async () => {
      await expectParity({ x: { shape, seed: 12 } }, ({ x }) => {
        const t = x as tf.Tensor;
        const w = tf.randomNormal(tf.transpose(t, perm).shape, 0, 1, 'float32', 13);
        const asInt = tf.cast(tf.transpose(tf.cast(tf.mul(t, 100), 'int32'), perm), 'float32');
        return [tf.transpose(t, perm), tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.transpose(y, perm), w)))(t), asInt];
      });
    });
  }

  it('asMiddleSwap recognises axis-group swaps and rejects other permutations', () => {
    expect(asMiddleSwap([4, 5], [1, 0])).toEqual([1, 4, 5, 1]);
    expect(asMiddleSwap([2, 3, 4, 5], [1, 2, 0, 3])).toEqual([1, 2, 12, 5]);
    expect(asMiddleSwap([2, 1, 4, 5], [0, 3, 1, 2])).toEqual([2, 4, 5, 1]);
    expect(asMiddleSwap([2, 3, 4], [2, 1, 0])).toBeUndefined();
    expect(asMiddleSwap([2, 3, 4], [0, 1, 2])).toBeUndefined();
  });

  it('swapMiddleAxes preserves every 32-bit pattern, NaN payloads included', () => {
    const src = Int32Array.from({ length: 2 * 3 * 40 }, (_, i) => (i % 2 === 0 ? 0x7fa00000 + i : -1 - i));
    const dst = new Int32Array(src.length);
    swapMiddleAxes(src, dst, 2, 3, 40, 1);
    for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let j = 0; j < 40; j++) {
      expect(dst[b * 120 + j * 3 + i]).toBe(src[b * 120 + i * 40 + j]);
    }
  });

  // Both tile orders (rows >= columns walks the target rows), with partial tiles and d > 1.
  for (const [n, r, c, d] of [[2, 37, 19, 1], [2, 19, 37, 1], [1, 16, 16, 1], [3, 5, 33, 2], [1, 33, 5, 3]] as const) {
    it(`swapMiddleAxes equals the definition for [${n}, ${r}, ${c}, ${d}]`, () => {
      const src = Int32Array.from({ length: n * r * c * d }, (_, i) => i * 7 + 1);
      const dst = new Int32Array(src.length);
      swapMiddleAxes(src, dst, n, r, c, d);
      const expected = new Int32Array(src.length);
      for (let b = 0; b < n; b++) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) for (let k = 0; k < d; k++) {
        expected[((b * c + j) * r + i) * d + k] = src[((b * r + i) * c + j) * d + k]!;
      }
      expect(Array.from(dst)).toEqual(Array.from(expected));
    });
  }
});
