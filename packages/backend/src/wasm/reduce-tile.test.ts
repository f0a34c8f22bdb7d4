import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { expectParity } from './parity-helpers.test-utils';

describe('Sum, Mean (pooling path) and Tile (broadcast path) on wasm match cpu', () => {
  const axesCases: Array<[number[], number[]]> = [
    [[4, 5, 6, 3], [0, 1, 2]],
    [[4, 5, 6, 3], [1, 2]],
    [[4, 5, 6, 3], [0]],
    [[4, 5, 6, 3], [1]],
    [[4, 5, 6, 3], [0, 2]],
    [[4, 5, 6, 3], [3]],
    [[1, 7, 1, 2], [0, 1, 2]],
    [[9, 4], [0]],
  ];
  for (const [shape, axis] of axesCases) {
    it(`forward and gradient over axes ${JSON.stringify(axis)} of ${JSON.stringify(shape)}`, async () => {
      await expectParity({ x: { shape, seed: 1 } }, ({ x }) => {
        const t = x as tf.Tensor;
        const f = (a: tf.Tensor): tf.Tensor => tf.add(tf.sum(tf.square(tf.sum(a, axis))), tf.sum(tf.mean(a, axis, true)));
        return [tf.sum(t, axis), tf.mean(t, axis), tf.sum(t, axis, true), tf.mean(t, axis, true), tf.grad(f)(t)];
      });
    });
  }

  it('tiles broadcast-style and general patterns', async () => {
    await expectParity({ a: { shape: [1, 1, 1, 5], seed: 2 }, b: { shape: [2, 3], seed: 3 } }, ({ a, b }) => [
      tf.tile(a as tf.Tensor, [3, 4, 2, 1]),
      tf.tile(b as tf.Tensor, [2, 3]),
      tf.tile(tf.reshape(b as tf.Tensor, [2, 1, 3]), [1, 4, 1]),
    ]);
  });
});
