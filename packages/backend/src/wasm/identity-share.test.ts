import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { setBackend } from '../select-backend';
import { expectParity } from './parity-helpers.test-utils';

describe('Identity on wasm shares the buffer', () => {
  it('a clone outlives its source, holds the same values and frees the buffer with the last reference', async () => {
    await setBackend('wasm');
    const ids = tf.engine().backend.numDataIds();
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    expect(y.shape).toEqual([2, 2]);
    expect(y.dtype).toBe('float32');
    expect(tf.engine().backend.numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
    const z = tf.add(y, 1);
    expect(Array.from(await z.data())).toEqual([2, 3, 4, 5]);
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
    tf.dispose([y, z]);
    expect(tf.engine().backend.numDataIds()).toBe(ids);
  });

  it('gradients passed through Identity match cpu', async () => {
    await setBackend('wasm');
    await expectParity({ x: { shape: [3, 4], seed: 1 } }, ({ x }) => [
      tf.clone(x as tf.Tensor),
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clone(t), tf.clone(t))))(x as tf.Tensor),
    ]);
  });
});
