import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose } from '@contrastive/test-utils';
import { setBackend } from '../select-backend';
import { expectParity } from './parity-helpers.test-utils';

describe('UnsortedSegmentSum on wasm matches cpu', () => {
  it('sums duplicate ids and leaves empty segments zero (rank-1 ids, rank-3 data)', async () => {
    await expectParity(
      { x: { shape: [6, 3, 2], seed: 1 }, ids: { shape: [6], seed: 0, dtype: 'int32', values: [2, 0, 2, 4, 0, 2] } },
      ({ x, ids }) => [tf.unsortedSegmentSum(x as tf.Tensor, ids as tf.Tensor1D, 6)],
    );
  });

  it('handles rank-2 ids (the cpu kernel cannot: compared with flattened ids on cpu)', async () => {
    const ids = [1, 0, 1, 1, 2, 0];
    await setBackend('cpu');
    const xc = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 2);
    const expected = tf.unsortedSegmentSum(tf.reshape(xc, [6, 4]), tf.tensor1d(ids, 'int32'), 3);
    const want = await expected.data();
    tf.dispose([xc, expected]);
    await setBackend('wasm');
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 2);
    const id2 = tf.tensor2d(ids, [2, 3], 'int32');
    const before = tf.engine().backend.numDataIds();
    const got = tf.unsortedSegmentSum(x, id2 as unknown as tf.Tensor1D, 3);
    expect(got.shape).toEqual([3, 4]);
    expect(got.dtype).toBe('float32');
    expectClose(await got.data(), want, { atol: 1e-5, rtol: 1e-5 });
    got.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([x, id2]);
  });

  it('drops negative ids like TensorFlow', async () => {
    await setBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const ids = tf.tensor1d([-1, 1, 1], 'int32');
    const got = tf.unsortedSegmentSum(x, ids, 2);
    expectClose(await got.data(), [0, 0, 8, 10]);
    tf.dispose([x, ids, got]);
  });

  it('is the gradient of gather (batch 1 and several, repeated indices)', async () => {
    for (const indices of [[3], [1, 1, 4, 0, 1, 4, 2]]) {
      await expectParity(
        {
          table: { shape: [5, 4], seed: 3 },
          idx: { shape: [indices.length], seed: 0, dtype: 'int32', values: indices },
          w: { shape: [indices.length, 4], seed: 4 },
        },
        ({ table, idx, w }) => {
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx as tf.Tensor1D), w as tf.Tensor)));
          return [g(table as tf.Tensor)];
        },
      );
    }
  });
});
