import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Mean, Sum } from '@tensorflow/tfjs-core';
import { setBackend } from './select-backend';
import { meanGradient, sumGradient } from './reduce-gradients';

const CASES: Array<{ shape: number[]; axis: number | number[] | null; keepDims: boolean }> = [
  { shape: [5, 7], axis: null, keepDims: false },
  { shape: [5, 7], axis: 1, keepDims: false },
  { shape: [5, 7], axis: 0, keepDims: true },
  { shape: [3, 4, 5, 2], axis: [0, 1, 2], keepDims: false },
  { shape: [3, 4, 5, 2], axis: [-1, 1], keepDims: true },
  { shape: [6], axis: [], keepDims: false },
];

/** dL/dx of sum(w * reduce(x)) written out: w broadcast back over the reduced axes (over the count for mean). */
function expected(shape: number[], axis: number | number[] | null, w: Float32Array, mean: boolean): Float64Array {
  const rank = shape.length;
  const axes = axis === null ? shape.map((_, i) => i) : (Array.isArray(axis) ? axis : [axis]).map((a) => (a + rank) % rank);
  const count = axes.reduce((c, a) => c * shape[a]!, 1);
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let rest = i;
    const index = new Array<number>(rank);
    for (let d = rank - 1; d >= 0; d--) {
      index[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    let k = 0;
    for (let d = 0; d < rank; d++) if (!axes.includes(d)) k = k * shape[d]! + index[d]!;
    out[i] = w[k]! / (mean ? count : 1);
  }
  return out;
}

describe('Sum and Mean gradients broadcast dy on the device', () => {
  it('are the registered gradients after setBackend', async () => {
    await setBackend('wasm');
    expect(tf.getGradient(Sum)).toBe(sumGradient);
    expect(tf.getGradient(Mean)).toBe(meanGradient);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    for (const c of CASES) {
      for (const mean of [false, true]) {
        it(`${backend}: ${mean ? 'mean' : 'sum'} over ${JSON.stringify(c.axis)} of [${c.shape}] (keepDims ${c.keepDims})`, async () => {
          await setBackend(backend);
          const x = tf.randomNormal(c.shape, 0, 1, 'float32', 3);
          const reduce = (t: tf.Tensor): tf.Tensor =>
            mean ? tf.mean(t, c.axis ?? undefined, c.keepDims) : tf.sum(t, c.axis ?? undefined, c.keepDims);
          const outShape = reduce(x).shape;
          const w = tf.randomNormal(outShape, 0, 1, 'float32', 4);
          const before = tf.memory().numTensors;
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reduce(t), w)))(x);
          expect(tf.memory().numTensors).toBe(before + 1);
          expect(g.shape).toEqual(c.shape);
          const want = expected(c.shape, c.axis, (await w.data()) as Float32Array, mean);
          const got = await g.data();
          want.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-6));
          tf.dispose([x, w, g]);
        });
      }
    }
  }
});
