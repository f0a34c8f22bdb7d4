import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGradients, expectClose, expectNoLeak } from '@contrastive/test-utils';
import {
  assertInRange,
  assertOneOf,
  assertPositive,
  assertRank,
  assertSameShape,
  ContrastiveError,
  createRng,
  isContrastiveError,
  l2Normalize,
  stopGradient,
} from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function catchError(fn: () => unknown): ContrastiveError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContrastiveError) return error;
    throw error;
  }
  throw new Error('expected a ContrastiveError');
}

describe('argument checks', () => {
  it('reports function, argument, expectation and actual value', () => {
    const e = catchError(() => assertPositive('ntXentLoss', 'temperature', 0));
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.argument).toBe('temperature');
    expect(e.message).toBe("ntXentLoss: 'temperature' must be a finite number > 0; got 0");
  });
  it('checks rank and shapes from metadata', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 4]);
    expect(catchError(() => assertRank('f', 'z', a, 1)).code).toBe('RANK_MISMATCH');
    const e = catchError(() => assertSameShape('f', ['z1', 'z2'], a, b));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toContain('[2,4]');
    tf.dispose([a, b]);
  });
  it('rejects NaN and out-of-range values, and suggests the nearest name', () => {
    expect(catchError(() => assertInRange('f', 'p', NaN, { min: 0, max: 1 })).code).toBe('OUT_OF_RANGE');
    expect(() => assertInRange('f', 'p', 0.5, { min: 0, max: 1 })).not.toThrow();
    const e = catchError(() => assertOneOf('f', 'backend', 'wsam', ['wasm', 'cpu']));
    expect(e.code).toBe('UNKNOWN_NAME');
    expect(e.message).toContain('did you mean "wasm"');
    expect(isContrastiveError(e, 'UNKNOWN_NAME')).toBe(true);
  });
});

describe('l2Normalize', () => {
  it('gives unit rows and keeps zero rows finite', () => {
    const x = tf.tensor2d([[3, 4], [0, 0]]);
    const y = expectNoLeak(() => l2Normalize(x));
    expect(y.shape).toEqual([2, 2]);
    expectClose(y, [[0.6, 0.8], [0, 0]]);
    tf.dispose([x, y]);
  });
  it('has the gradient of x / |x|', () => {
    const reference = (x: Float64Array) => {
      const n = Math.hypot(...x);
      return x.reduce((s, v, i) => s + (v / n) * (i + 1), 0);
    };
    checkGradients(
      (x) => tf.sum(tf.mul(l2Normalize(x), tf.tensor1d([1, 2, 3]))),
      reference,
      [{ values: [0.5, -1.2, 2.0], shape: [3] }],
    );
  });
  it('has the gradient of each row (and column) over its own norm', () => {
    const weights = [1, -2, 0.5, 3, 0.25, -1];
    const reference = (axis: 0 | 1) => (x: Float64Array) => {
      let total = 0;
      for (let line = 0; line < (axis === 1 ? 2 : 3); line++) {
        const at = (j: number) => (axis === 1 ? line * 3 + j : j * 3 + line);
        const count = axis === 1 ? 3 : 2;
        let sq = 0;
        for (let j = 0; j < count; j++) sq += x[at(j)]! ** 2;
        for (let j = 0; j < count; j++) total += (x[at(j)]! / Math.sqrt(sq)) * weights[at(j)]!;
      }
      return total;
    };
    for (const axis of [0, 1] as const) {
      checkGradients(
        (x) => tf.sum(tf.mul(l2Normalize(x, axis), tf.tensor2d(weights, [2, 3]))),
        reference(axis),
        [{ values: [0.5, -1.2, 2.0, 0.3, 0.9, -0.7], shape: [2, 3] }],
      );
    }
  });
  it('scales by the floor, with a constant factor, below epsilon', () => {
    // |x|^2 = 1e-14 < 1e-12: y = x * 1e6 exactly, so dy/dx = 1e6 * I.
    const x = tf.tensor1d([1e-7, 0]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(l2Normalize(v), tf.tensor1d([1, 2]))))(x);
    expectClose(g, [1e6, 2e6], { rtol: 1e-5 });
    tf.dispose([x, g]);
  });
});

describe('stopGradient', () => {
  it('passes values and blocks gradients', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(stopGradient(v), v)))(x);
    // d/dx sum(sg(x) * x) = sg(x) = x.
    expectClose(g, [1, 2, 3]);
    const y = expectNoLeak(() => stopGradient(x));
    expectClose(y, [1, 2, 3]);
    tf.dispose([x, g, y]);
  });
});

describe('createRng', () => {
  it('is deterministic per seed and restorable from its state', () => {
    const a = createRng(42);
    const b = createRng(42);
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    const state = a.getState();
    const first = [a.int(10), a.normal(), a.next()];
    a.setState(state);
    expect([a.int(10), a.normal(), a.next()]).toEqual(first);
    expect(createRng(1).next()).not.toBe(createRng(2).next());
  });
  it('draws uniformly and samples without replacement', () => {
    const rng = createRng(7);
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 40_000; i++) counts[rng.int(4)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    const sample = rng.sampleWithoutReplacement(100, 30);
    expect(new Set(sample).size).toBe(30);
    expect(Math.max(...sample)).toBeLessThan(100);
    const perm = Array.from(rng.permutation(50)).sort((x, y) => x - y);
    expect(perm).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
  it('has normal samples with mean 0 and variance 1', () => {
    const rng = createRng(3);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const v = rng.normal();
      s += v;
      s2 += v * v;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });
});
