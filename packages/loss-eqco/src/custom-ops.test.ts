import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectClose, randomMatrix, toTensor2d } from '@contrastive/test-utils';
import { logSumExpLastAxis } from './log-sum-exp';
import { similarityToConstant } from './similarity';

describeBackends(['cpu', 'wasm'], () => {
  describe('internal custom ops', () => {
    it('similarityToConstant equals a.b^T, its gradient reaches a only', () => {
      const a = toTensor2d(randomMatrix(1, 5, 3));
      const b = toTensor2d(randomMatrix(2, 7, 3));
      const w = toTensor2d(randomMatrix(3, 5, 7));
      const got = similarityToConstant(a, b);
      expect(got.shape).toEqual([5, 7]);
      expectClose(got, tf.matMul(a, b, false, true), { atol: 1e-5 });
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(similarityToConstant(x, y), w)))([a, b]);
      const [ra] = tf.grads((x: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, b, false, true), w)))([a]);
      expectClose(ga!, ra!, { atol: 1e-5 });
      expect(tf.max(tf.abs(gb!)).dataSync()[0]).toBe(0);
      tf.dispose([a, b, w, got, ga!, gb!, ra!]);
    });

    it('logSumExpLastAxis equals logSumExp with keepDims and has the softmax gradient, even at extreme logits', () => {
      const x = tf.tensor2d([[1, 2, 3, -1], [500, -500, 0, 499], [-80, -90, -100, -85]]);
      const w = tf.tensor2d([[1], [2], [-1]]);
      const got = logSumExpLastAxis(x);
      expect(got.shape).toEqual([3, 1]);
      expectClose(got, tf.logSumExp(x, -1, true), { atol: 1e-4, rtol: 1e-6 });
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(logSumExpLastAxis(t), w)))(x);
      expectClose(g, tf.mul(tf.softmax(x), w), { atol: 1e-6 });
      tf.dispose([x, w, got, g]);
    });
  });
});
