import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { setBackend } from '../select-backend';
import { copyWindow } from './slice-window';
import { expectParity } from './parity-helpers.test-utils';

const CASES: Array<{ shape: number[]; begin: number[]; size: number[] }> = [
  { shape: [10], begin: [3], size: [5] },
  { shape: [6, 40], begin: [1, 2], size: [4, 30] },
  { shape: [6, 40], begin: [2, 0], size: [3, -1] },
  { shape: [4, 34, 34, 8], begin: [0, 1, 1, 0], size: [4, 32, 32, 8] },
  { shape: [5, 7, 6, 3], begin: [1, 2, 0, 1], size: [3, 4, 6, 2] },
  { shape: [3, 4, 5, 6, 7], begin: [1, 0, 2, 1, 3], size: [2, 4, 3, -1, 4] },
  { shape: [2, 3, 4, 5, 6, 2], begin: [0, 1, 1, 0, 2, 0], size: [2, 2, 3, 5, 3, 2] },
  { shape: [8, 16, 3], begin: [2, 0, 0], size: [5, 16, 3] },
];

describe('Slice on wasm (heap-to-heap window copy)', () => {
  for (const c of CASES) {
    it(`matches cpu, forward and gradient: ${JSON.stringify(c)}`, async () => {
      await expectParity({ x: { shape: c.shape, seed: 3 } }, ({ x }) => {
        const slice = (t: tf.Tensor): tf.Tensor => tf.slice(t, c.begin, c.size);
        const y = slice(x as tf.Tensor);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(slice(t), tf.onesLike(y))))(x as tf.Tensor);
        return [y, g];
      });
    });
  }

  it('copies int32 and bool windows, keeps NaN payloads, handles empty windows', async () => {
    await setBackend('wasm');
    const ints = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [3, 3], 'int32');
    const s = tf.slice(ints, [1, 1], [2, 2]);
    expect(s.dtype).toBe('int32');
    expect(Array.from(await s.data())).toEqual([5, 6, 8, 9]);
    const bools = tf.tensor2d([[true, false], [false, true]], [2, 2], 'bool');
    const b = tf.slice(bools, [0, 1], [2, 1]);
    expect(b.dtype).toBe('bool');
    expect(Array.from(await b.data())).toEqual([0, 1]);
    const payload = new Float32Array(new Int32Array([0x7fc00001, 0x7fa00002, 1065353216, 0]).buffer);
    const nans = tf.tensor2d(payload, [2, 2]);
    const n = tf.slice(nans, [0, 0], [2, 1]);
    const bits = new Int32Array(((await n.data()) as Float32Array).slice().buffer);
    expect(Array.from(bits)).toEqual([0x7fc00001, 1065353216]);
    const empty = tf.slice(ints, [1, 0], [0, 3]);
    expect(empty.shape).toEqual([0, 3]);
    tf.dispose([ints, s, bools, b, nans, n, empty]);
  });

  it('copyWindow uses one run per outer index (long runs by set, short by a loop)', () => {
    const src = Int32Array.from({ length: 2 * 3 * 40 }, (_, i) => i);
    const long = new Int32Array(2 * 2 * 40);
    copyWindow(src, long, [2, 3, 40], [0, 1, 0], [2, 2, 40]);
    expect(Array.from(long.subarray(0, 3))).toEqual([40, 41, 42]);
    expect(Array.from(long.subarray(80, 83))).toEqual([160, 161, 162]);
    const short = new Int32Array(2 * 3 * 2);
    copyWindow(src, short, [2, 3, 40], [0, 0, 5], [2, 3, 2]);
    expect(Array.from(short)).toEqual([5, 6, 45, 46, 85, 86, 125, 126, 165, 166, 205, 206]);
  });
});
