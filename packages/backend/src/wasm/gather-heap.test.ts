import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { setBackend } from '../select-backend';
import { gatherRuns } from './gather-heap';
import { expectParity } from './parity-helpers.test-utils';

const CASES: Array<{ shape: number[]; indices: number[]; indexShape: number[]; axis: number }> = [
  { shape: [7], indices: [6, 0, 3, 3], indexShape: [4], axis: 0 },
  { shape: [6, 40], indices: [5, 1, 1], indexShape: [3], axis: 0 },
  { shape: [9, 2], indices: [8, 0, 4, 4, 2, 1], indexShape: [2, 3], axis: 0 },
  { shape: [50, 3, 11], indices: [10, 0, 7, 7], indexShape: [4], axis: -1 },
  { shape: [4, 5, 6, 3], indices: [4, 2, 0], indexShape: [3], axis: 2 },
  { shape: [4, 5, 20, 2], indices: [1, 3], indexShape: [2, 1], axis: 1 },
];

describe('GatherV2 on wasm (heap copy)', () => {
  for (const c of CASES) {
    it(`matches cpu, forward and gradient: ${JSON.stringify(c)}`, async () => {
      await expectParity(
        { x: { shape: c.shape, seed: 5 }, i: { shape: c.indexShape, seed: 0, dtype: 'int32', values: c.indices } },
        ({ x, i }) => {
          const gather = (t: tf.Tensor): tf.Tensor => tf.gather(t, i as tf.Tensor, c.axis);
          const y = gather(x as tf.Tensor);
          const weights = tf.randomNormal(y.shape, 0, 1, 'float32', 9);
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gather(t), weights)))(x as tf.Tensor);
          return [y, g];
        },
      );
    });
  }

  it('gathers int32, keeps NaN payloads, handles empty index lists', async () => {
    await setBackend('wasm');
    const ints = tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32');
    const g = tf.gather(ints, tf.tensor1d([2, 0], 'int32'), 1);
    expect(g.dtype).toBe('int32');
    expect(Array.from(await g.data())).toEqual([3, 1, 6, 4]);
    const payload = new Float32Array(new Int32Array([0x7fc00001, 0x7fa00002]).buffer);
    const n = tf.gather(tf.tensor1d(payload), tf.tensor1d([1, 0], 'int32'));
    expect(Array.from(new Int32Array(((await n.data()) as Float32Array).slice().buffer))).toEqual([0x7fa00002, 0x7fc00001]);
    const empty = tf.gather(ints, tf.tensor1d([], 'int32'), 0);
    expect(empty.shape).toEqual([0, 3]);
    tf.dispose([ints, g, n, empty]);
  });

  it('rejects out-of-range indices with ContrastiveError naming them', async () => {
    await setBackend('wasm');
    const x = tf.zeros([3, 2]);
    const bad = tf.tensor1d([0, 3], 'int32');
    expect(() => tf.gather(x, bad)).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'indices' }));
    tf.dispose([x, bad]);
  });

  it('gatherRuns copies short runs by a loop, long runs by set, single values directly', () => {
    const src = Int32Array.from({ length: 2 * 3 * 20 }, (_, i) => i);
    for (const inner of [1, 4, 20]) {
      const axisSize = 3;
      const outer = (2 * 3 * 20) / (axisSize * inner);
      const index = Int32Array.from([2, 0, 2]);
      const dst = new Int32Array(outer * 3 * inner);
      gatherRuns(src, dst, index, outer, axisSize, inner);
      const want: number[] = [];
      for (let o = 0; o < outer; o++) for (const j of index) for (let i = 0; i < inner; i++) want.push(src[(o * axisSize + j) * inner + i]!);
      expect(Array.from(dst)).toEqual(want);
    }
  });
});
