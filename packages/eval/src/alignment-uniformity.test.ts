import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeBackends, expectClose, expectNoLeak, randomMatrix, roundToFloat32, toTensor2d } from '@contrastive/test-utils';
import { useBackend } from '@contrastive/test-utils';

beforeAll(async () => {
  await useBackend('cpu');
});
import { alignmentReference, uniformityReference } from '@contrastive/test-utils/reference/eval';
import { alignment, uniformity } from './index';

const Z1 = [[1, 0, 0], [0, 1, 0], [1, 1, 0]];
const Z2 = [[1, 0.2, 0], [0.1, 1, 0], [1, 1, 0.3]];

describeBackends(['cpu', 'wasm'], () => {
  describe('alignment and uniformity (spec §7.1)', () => {
    it('reproduces the spec §8 vectors', () => {
      const z1 = tf.tensor2d(Z1);
      const z2 = tf.tensor2d(Z2);
      const a = expectNoLeak(() => alignment(z1, z2));
      expect(a.shape).toEqual([]);
      expect(a.dtype).toBe('float32');
      expectClose(a, 0.030767, { atol: 1e-6, rtol: 0 });
      expectClose(expectNoLeak(() => uniformity(z1)), -1.547913, { atol: 1e-5, rtol: 0 });
      expectClose(uniformity(z2, { t: 2 }), -1.190018, { atol: 1e-5, rtol: 0 });
      tf.dispose([z1, z2]);
      tf.disposeVariables();
    });

    it('matches the float64 reference for other alpha, t and chunk sizes', () => {
      const x = roundToFloat32(randomMatrix(1, 37, 6));
      const y = roundToFloat32(randomMatrix(2, 37, 6));
      const a = toTensor2d(x);
      const b = toTensor2d(y);
      expectClose(alignment(a, b, { alpha: 1 }), alignmentReference(x, y, 1), { atol: 1e-5, rtol: 1e-5 });
      expectClose(alignment(a, b, { alpha: 3 }), alignmentReference(x, y, 3), { atol: 1e-5, rtol: 1e-5 });
      for (const chunkElements of [37, 100, 1 << 22]) {
        expectClose(uniformity(a, { t: 3, chunkElements }), uniformityReference(x, 3), { atol: 1e-5, rtol: 1e-5 });
      }
      expectClose(uniformity(toTensor2d({ rows: 2, cols: 6, data: x.data.slice(0, 12) })), uniformityReference({ rows: 2, cols: 6, data: x.data.slice(0, 12) }), { atol: 1e-5 });
      tf.dispose([a, b]);
    });
  });
});

describe('argument checks', () => {
  it('reject bad shapes and options', () => {
    const a = tf.zeros([3, 2]) as tf.Tensor2D;
    const b = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() => alignment(a, b)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', argument: 'y' }));
    expect(() => alignment(a, a, { alpha: 0 })).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 'alpha' }));
    expect(() => uniformity(tf.zeros([1, 2]) as tf.Tensor2D)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', argument: 'x' }));
    expect(() => uniformity(a, { t: -1 })).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE', argument: 't' }));
    tf.dispose([a, b]);
  });
});
