import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { checkGradients, expectClose, expectNoLeak, logSumExp, useBackend } from '@contrastive/test-utils';
import { logSumExpRows, logSumExpWithFirst, maskLogits } from './index';

describe('log-sum-exp helpers', () => {
  it('match the float64 log-sum-exp, stay finite at large logits and do not leak', async () => {
    await useBackend('cpu');
    const x = tf.tensor2d([[1, 2, 3], [1e4, -1e4, 0]]);
    const first = tf.tensor1d([0.5, 2e4]);
    const rows = expectNoLeak(() => logSumExpRows(x));
    expect(rows.shape).toEqual([2]);
    expectClose(rows, [logSumExp([1, 2, 3]), 1e4], { rtol: 1e-6 });
    const withFirst = expectNoLeak(() => logSumExpWithFirst(first, x));
    expectClose(withFirst, [logSumExp([0.5, 1, 2, 3]), 2e4], { rtol: 1e-6 });
    const mask = tf.tensor2d([[true, false, false], [false, false, true]], undefined, 'bool');
    const masked = expectNoLeak(() => maskLogits(x, mask));
    const m = masked.arraySync();
    expect(m[0]![0]!).toBeLessThan(-1e4);
    expect(m[1]![2]!).toBeLessThan(-1e4);
    expect(masked.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([x, first, rows, withFirst, mask, masked]);
  });

  it('have the softmax as gradient', () => {
    checkGradients(
      (x) => tf.sum(tf.mul(logSumExpRows(x as tf.Tensor2D), tf.tensor1d([1, -2]))),
      (x) => logSumExp(x.subarray(0, 3)) - 2 * logSumExp(x.subarray(3, 6)),
      [{ values: [0.1, 0.9, -0.4, 2, 1, 0], shape: [2, 3] }],
    );
  });
});
