import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { stopGradient } from '@contrastive/core';
import { describeBackends, expectClose, randomMatrix, toTensor2d } from '@contrastive/test-utils';
import { queueTransport } from './queue-transport';
import { detachedLogNormalizer, transportCost } from './transport';

describeBackends(['cpu', 'wasm'], () => {
  describe('internal custom ops', () => {
    it('detached transport cost has the value and gradient of sum(sg(softmax) * c)', () => {
      const c = tf.abs(toTensor2d(randomMatrix(4, 6, 5)));
      const w = tf.tensor1d([1, -2, 0.5, 3, 1, 2]);
      const ref = (x: tf.Tensor) => tf.sum(tf.mul(stopGradient(tf.softmax(tf.mul(x, -2))), x), -1);
      expectClose(transportCost(c, -2, true), ref(c), { atol: 1e-6 });
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(transportCost(x, -2, true), w)))(c);
      const r = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(ref(x), w)))(c);
      expectClose(g, r, { atol: 1e-6 });
      const z = tf.grad((x: tf.Tensor) => tf.sum(detachedLogNormalizer(x)))(c);
      expect(tf.max(tf.abs(z)).dataSync()[0]).toBe(0);
      expectClose(detachedLogNormalizer(c), tf.logSumExp(c, -1, true), { atol: 1e-5 });
      tf.dispose([c, w, g, r, z]);
    });

    it('queueTransport: detached custom op matches autodiff with sg plans, value and gradient', () => {
      const q = toTensor2d(randomMatrix(5, 4, 3));
      const n = toTensor2d(randomMatrix(6, 9, 3));
      const ref = (x: tf.Tensor) => {
        const cost = tf.add(tf.sub(tf.sum(tf.square(x), 1, true), tf.mul(tf.matMul(x, n, false, true), 2)), tf.reshape(tf.sum(tf.square(n), 1), [1, -1]));
        const p = stopGradient(tf.softmax(tf.mul(cost, -1.5)));
        return tf.concat([tf.sum(tf.mul(p, cost), 1, true), stopGradient(tf.logSumExp(tf.mul(cost, -1.5), 1, true))], 1);
      };
      const got = queueTransport(q, n, 1.5, true);
      expect(got.shape).toEqual([4, 2]);
      expectClose(got, ref(q), { atol: 1e-5 });
      const w = tf.tensor2d([[1, 3], [-1, 2], [2, 1], [0.5, -1]]);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(queueTransport(x, n, 1.5, true), w)))(q);
      const r = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(ref(x), w)))(q);
      expectClose(g, r, { atol: 1e-5 });
      tf.dispose([q, n, got, w, g, r]);
    });
  });
});
