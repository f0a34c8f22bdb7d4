import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectClose, expectNoLeak, randomMatrix, toTensor2d } from '@contrastive/test-utils';
import { exclusionDepth, logSumExpLastAxis, MASK_MARGIN, offDiagonal, similarity, similarityToConstant, swapHalves, viewPairContrast, viewPairExclusion } from './index';

describeBackends(['cpu', 'wasm'], () => {
  describe('shared loss ops', () => {
    it('swapHalves, viewPairExclusion and exclusionDepth describe the view pairs', () => {
      const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
      const swapped = expectNoLeak(() => swapHalves(x));
      expect(swapped.shape).toEqual([4, 2]);
      expectClose(swapped, [[5, 6], [7, 8], [1, 2], [3, 4]]);
      const diagonal = expectNoLeak(() => viewPairExclusion(2, false));
      expect(diagonal.dtype).toBe('float32');
      expectClose(diagonal, [[-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 0], [0, 0, 0, -1]]);
      const decoupled = viewPairExclusion(2, true);
      expectClose(decoupled, [[-1, 0, -1, 0], [0, -1, 0, -1], [-1, 0, -1, 0], [0, -1, 0, -1]]);
      // max |x_i|^2 = 113; 2 * 113 * 5 + margin.
      const depth = expectNoLeak(() => exclusionDepth(x, 5));
      expectClose(depth, 2 * 113 * 5 + MASK_MARGIN, { rtol: 1e-6 });
      tf.dispose([x, swapped, diagonal, decoupled, depth]);
    });

    it('viewPairContrast gives the same loss and gradient for tau as a number and as a constant function', () => {
      const u = toTensor2d(randomMatrix(4, 6, 3));
      const asNumber = (x: tf.Tensor) => viewPairContrast(x as tf.Tensor2D, { inverseTemperature: 2, maxInverseTemperature: 2, decoupled: false });
      const asFunction = (x: tf.Tensor) =>
        viewPairContrast(x as tf.Tensor2D, { inverseTemperature: (s) => tf.fill(s.shape, 2), maxInverseTemperature: 2, decoupled: false });
      const a = expectNoLeak(() => asNumber(u));
      const b = expectNoLeak(() => asFunction(u));
      expect(a.shape).toEqual([]);
      expectClose(a, b, { rtol: 1e-6 });
      expectClose(tf.grad(asNumber)(u), tf.grad(asFunction)(u), { atol: 1e-6 });
      tf.dispose([u, a, b]);
    });

    it('similarity equals a.b^T with both gradients of matMul', () => {
      const a = toTensor2d(randomMatrix(1, 5, 3));
      const b = toTensor2d(randomMatrix(2, 7, 3));
      const w = toTensor2d(randomMatrix(3, 5, 7));
      const s = expectNoLeak(() => similarity(a, b));
      expect(s.shape).toEqual([5, 7]);
      expectClose(s, tf.matMul(a, b, false, true), { atol: 1e-5 });
      const got = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(similarity(x, y), w)))([a, b]);
      const want = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, true), w)))([a, b]);
      expectClose(got[0]!, want[0]!, { atol: 1e-5 });
      expectClose(got[1]!, want[1]!, { atol: 1e-5 });
      tf.dispose([a, b, w, s, ...got, ...want]);
    });

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

    it('offDiagonal drops exactly the diagonal of every trailing square matrix', () => {
      const m = tf.tensor3d([[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[0, -1, -2], [-3, -4, -5], [-6, -7, -8]]]);
      const out = expectNoLeak(() => offDiagonal(m));
      expect(out.shape).toEqual([2, 3, 2]);
      expectClose(out, [[[2, 3], [4, 6], [7, 8]], [[-1, -2], [-3, -5], [-6, -7]]]);
      tf.dispose([m, out]);
    });
  });
});
