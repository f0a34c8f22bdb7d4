import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { closenessError, expectClose } from './close';
import { checkGradients } from './grad-check';
import { expectNoLeak } from './leak';

describe('closenessError', () => {
  it('checks shape before values', () => {
    expect(closenessError([1, 2], [[1, 2]])).toMatch(/shape mismatch/);
  });
  it('accepts values within atol + rtol and names the worst index otherwise', () => {
    expect(closenessError([1, 2.00001], [1, 2], { atol: 0, rtol: 1e-4 })).toBeUndefined();
    expect(closenessError([1, 2.1, 3.5], [1, 2, 3], { atol: 0, rtol: 1e-3 })).toMatch(/worst at flat index 2/);
  });
  it('treats NaN as equal only to NaN and infinities only to themselves', () => {
    expect(closenessError([NaN], [NaN])).toBeUndefined();
    expect(closenessError([NaN], [1])).toBeDefined();
    expect(closenessError([1], [NaN])).toBeDefined();
    expect(closenessError([Infinity], [Infinity])).toBeUndefined();
    expect(closenessError([-Infinity], [Infinity])).toBeDefined();
  });
  it('reads tensors', () => {
    const t = tf.tensor2d([[1, 2]]);
    expectClose(t, [[1, 2]]);
    expect(() => expectClose(t, [[1, 3]])).toThrow(/differ/);
    t.dispose();
  });
});

describe('checkGradients', () => {
  it('passes for a correct gradient and fails for a wrong one', () => {
    const input = { values: [0.3, -0.7, 1.1], shape: [3] };
    const reference = (x: Float64Array) => x.reduce((s, v) => s + Math.sin(v) * v, 0);
    checkGradients((x) => tf.sum(tf.mul(tf.sin(x), x)), reference, [input]);
    expect(() => checkGradients((x) => tf.sum(tf.mul(tf.cos(x), x)), reference, [input])).toThrow(/gradient of input 0/);
  });
});

describe('expectNoLeak', () => {
  it('counts returned tensors and catches leaks', () => {
    const kept = expectNoLeak(() => tf.tidy(() => tf.add(tf.ones([2]), 1)));
    kept.dispose();
    expect(() => expectNoLeak(() => { tf.ones([2]); return 0; })).toThrow(/leak/);
  });
});
