import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, expectNoLeak, randomMatrix, roundToFloat32, useBackend } from '@contrastive/test-utils';
import { logSumExp } from '@contrastive/test-utils';
import { softmaxRegressionGradients } from './softmax-regression';

beforeAll(async () => {
  await useBackend('cpu');
});

/** Float64 mean cross-entropy of softmax(x W + b). */
function lossF64(x: Float64Array, w: Float64Array, b: Float64Array, y: number[], d: number, c: number): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const logits = Array.from({ length: c }, (_, k) => {
      let s = b[k]!;
      for (let a = 0; a < d; a++) s += x[i * d + a]! * w[a * c + k]!;
      return s;
    });
    total += logSumExp(logits) - logits[y[i]!]!;
  }
  return total / y.length;
}

describe('softmaxRegressionGradients', () => {
  it('matches central finite differences of the float64 loss', async () => {
    const [n, d, c] = [5, 4, 3];
    const x = roundToFloat32(randomMatrix(1, n, d)).data;
    const w = roundToFloat32(randomMatrix(2, d, c)).data;
    const b = roundToFloat32(randomMatrix(3, 1, c)).data;
    const y = [0, 2, 1, 2, 0];
    const xt = tf.tensor2d(Float32Array.from(x), [n, d]);
    const wt = tf.tensor2d(Float32Array.from(w), [d, c]);
    const bt = tf.tensor1d(Float32Array.from(b));
    const yt = tf.tensor1d(y, 'int32');
    const [loss, dw, db] = expectNoLeak(() => softmaxRegressionGradients(xt, wt, bt, yt), 3);
    expect(dw.shape).toEqual([d, c]);
    expect(db.shape).toEqual([c]);
    expectClose(loss, lossF64(x, w, b, y, d, c), { atol: 1e-5 });
    const h = 1e-6;
    const fd = (arr: Float64Array, j: number): number => {
      const saved = arr[j]!;
      arr[j] = saved + h;
      const up = lossF64(x, w, b, y, d, c);
      arr[j] = saved - h;
      const down = lossF64(x, w, b, y, d, c);
      arr[j] = saved;
      return (up - down) / (2 * h);
    };
    expectClose(await dw.data(), Array.from(w, (_, j) => fd(w, j)), { atol: 1e-5, rtol: 1e-4 });
    expectClose(await db.data(), Array.from(b, (_, j) => fd(b, j)), { atol: 1e-5, rtol: 1e-4 });
    tf.dispose([xt, wt, bt, yt, loss, dw, db]);
  });
});
