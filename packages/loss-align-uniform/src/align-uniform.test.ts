import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { checkGradients, describeBackends, expectClose, expectNoLeak, toTensor2d } from '@contrastive/test-utils';
import { asMatrix, f32Matrix, SPEC_VECTORS, thrownCode } from '@contrastive/test-utils/reference/infonce';
import {
  alignmentReference,
  alignUniformReference,
  uniformityReference,
} from '@contrastive/test-utils/reference/align-uniform';
import * as api from './index';
import { alignmentLoss, alignUniformLoss, uniformityLoss } from './index';

function value(t: tf.Tensor): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  return t.dataSync()[0]!;
}

describeBackends(['cpu', 'wasm'], () => {
  it('match the float64 references over sizes, alpha and t', () => {
    let seed = 500;
    for (const batch of [1, 2, 5, 32]) {
      for (const dim of [1, 3, 16]) {
        const [a, b] = [f32Matrix(seed++, batch, dim), f32Matrix(seed++, batch, dim)];
        const [z1, z2] = [toTensor2d(a), toTensor2d(b)];
        for (const alpha of [0.5, 1, 2, 3]) {
          const l = expectNoLeak(() => alignmentLoss(z1, z2, { alpha }));
          expectClose(value(l), alignmentReference(a, b, { alpha }), { atol: 1e-5, rtol: 1e-4 });
          l.dispose();
        }
        if (batch >= 2) {
          for (const t of [0.05, 0.5, 2, 10]) {
            const u = expectNoLeak(() => uniformityLoss(z1, { t }));
            expectClose(value(u), uniformityReference(a, { t }), { atol: 2e-5, rtol: 1e-4 });
            const s = expectNoLeak(() => alignUniformLoss(z1, z2, { t, alignWeight: 3, uniformWeight: 0.5 }));
            expectClose(value(s), alignUniformReference(a, b, { t, alignWeight: 3, uniformWeight: 0.5 }), { atol: 3e-5, rtol: 1e-4 });
            tf.dispose([u, s]);
          }
        }
        tf.dispose([z1, z2]);
      }
    }
  });

  it('match the references without normalisation', () => {
    const [a, b] = [f32Matrix(1, 6, 4, 0.3), f32Matrix(2, 6, 4, 0.3)];
    const [z1, z2] = [toTensor2d(a), toTensor2d(b)];
    expectClose(value(alignmentLoss(z1, z2, { normalize: false })), alignmentReference(a, b, { normalize: false }), { atol: 1e-6, rtol: 1e-5 });
    expectClose(value(uniformityLoss(z1, { normalize: false })), uniformityReference(a, { normalize: false }), { atol: 1e-6, rtol: 1e-5 });
    tf.dispose([z1, z2]);
  });

  it('reproduce the spec §8 vectors', () => {
    const [z1, z2] = [tf.tensor2d(SPEC_VECTORS.z1 as number[][]), tf.tensor2d(SPEC_VECTORS.z2 as number[][])];
    expectClose(value(alignmentLoss(z1, z2)), 0.030767, { atol: 2e-6, rtol: 0 });
    expectClose(value(uniformityLoss(z1)), -1.547913, { atol: 2e-6, rtol: 0 });
    expectClose(value(uniformityLoss(z2)), -1.190018, { atol: 2e-6, rtol: 0 });
    // Default weights: 1 · align + 1 · (unif(z1) + unif(z2)) / 2.
    expectClose(value(alignUniformLoss(z1, z2)), 0.030767 + (-1.547913 - 1.190018) / 2, { atol: 4e-6, rtol: 0 });
    tf.dispose([z1, z2]);
  });

  it('have the closed forms of identical and antipodal embeddings', () => {
    // Identical rows: every distance is 0, so align = 0 and unif = log(1) = 0.
    const same = tf.tidy(() => tf.tile(tf.tensor2d([[0.6, 0.8]]), [4, 1]) as tf.Tensor2D);
    expectClose(value(alignmentLoss(same, same)), 0, { atol: 1e-7 });
    expectClose(value(uniformityLoss(same)), 0, { atol: 1e-6 });
    // Two antipodal rows: ||u - v||^2 = 4, align(alpha = 2) = 4, unif = -4t.
    const x = tf.tensor2d([[1, 0], [-1, 0]]);
    const y = tf.tensor2d([[-1, 0], [1, 0]]);
    expectClose(value(alignmentLoss(x, y)), 4, { atol: 1e-6 });
    expectClose(value(uniformityLoss(x, { t: 3 })), -12, { atol: 1e-5 });
    tf.dispose([same, x, y]);
  });

  it('are symmetric in the views and invariant to a batch permutation', () => {
    const [z1, z2] = [toTensor2d(f32Matrix(3, 7, 5)), toTensor2d(f32Matrix(4, 7, 5))];
    const perm = tf.tensor1d([6, 4, 2, 0, 1, 3, 5], 'int32');
    const [p1, p2] = [tf.gather(z1, perm) as tf.Tensor2D, tf.gather(z2, perm) as tf.Tensor2D];
    expectClose(value(alignUniformLoss(z2, z1)), value(alignUniformLoss(z1, z2)), { atol: 1e-6 });
    expectClose(value(alignUniformLoss(p1, p2)), value(alignUniformLoss(z1, z2)), { atol: 1e-6 });
    tf.dispose([z1, z2, perm, p1, p2]);
  });

  it('stay finite with inputs of norm 1e3 and identical rows (gradients too)', () => {
    const big = toTensor2d(f32Matrix(5, 64, 16, 250));
    const same = tf.tidy(() => tf.tile(tf.tensor2d([[3, 4]]), [3, 1]) as tf.Tensor2D);
    for (const [a, b] of [[big, big], [same, same]] as const) {
      const grads = tf.tidy(() =>
        tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.add(alignUniformLoss(x as tf.Tensor2D, y as tf.Tensor2D, { t: 10 }), alignmentLoss(x as tf.Tensor2D, y as tf.Tensor2D, { alpha: 1 })),
        )([a, b]),
      );
      for (const g of grads) expect(g.dataSync().every(Number.isFinite)).toBe(true);
      tf.dispose(grads);
    }
    tf.dispose([big, same]);
  });
});

describe('gradients against finite differences of the reference', () => {
  const [n, d] = [4, 3];
  const [a, b] = [f32Matrix(81, n, d), f32Matrix(82, n, d)];
  const inputs = [{ values: a.data, shape: [n, d] }, { values: b.data, shape: [n, d] }];
  for (const o of [{ alpha: 2 }, { alpha: 1 }, { alpha: 3, normalize: false }]) {
    it(`alignmentLoss ${JSON.stringify(o)}`, () => {
      checkGradients((x, y) => alignmentLoss(x as tf.Tensor2D, y as tf.Tensor2D, o), (x, y) => alignmentReference(asMatrix(x, d), asMatrix(y, d), o), inputs);
    });
  }
  for (const o of [{ t: 2 }, { t: 0.5 }, { t: 1, normalize: false }]) {
    it(`uniformityLoss ${JSON.stringify(o)}`, () => {
      checkGradients((x) => uniformityLoss(x as tf.Tensor2D, o), (x) => uniformityReference(asMatrix(x, d), o), [inputs[0]!]);
    });
  }
  for (const o of [{}, { alignWeight: 3, uniformWeight: 1, t: 3 }, { alignWeight: 0 }, { uniformWeight: 0, alpha: 1 }]) {
    it(`alignUniformLoss ${JSON.stringify(o)}`, () => {
      checkGradients((x, y) => alignUniformLoss(x as tf.Tensor2D, y as tf.Tensor2D, o), (x, y) => alignUniformReference(asMatrix(x, d), asMatrix(y, d), o), inputs);
    });
  }
});

describe('input checks and API', () => {
  it('throw ContrastiveError with the code and argument', () => {
    const z = tf.zeros([4, 3]) as tf.Tensor2D;
    const other = tf.zeros([4, 2]) as tf.Tensor2D;
    const one = tf.zeros([1, 3]) as tf.Tensor2D;
    const empty = tf.zeros([0, 3]) as tf.Tensor2D;
    const rank1 = tf.zeros([3]) as unknown as tf.Tensor2D;
    expect(thrownCode(() => alignmentLoss(rank1, z))).toEqual({ code: 'RANK_MISMATCH', argument: 'z1' });
    expect(thrownCode(() => alignmentLoss(z, other))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'z2' });
    expect(thrownCode(() => alignmentLoss(empty, empty))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'z1' });
    expect(thrownCode(() => alignmentLoss(z, z, { alpha: 0 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'alpha' });
    expect(thrownCode(() => uniformityLoss(one))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'z' });
    expect(thrownCode(() => uniformityLoss(z, { t: -2 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 't' });
    expect(thrownCode(() => alignUniformLoss(z, other))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'z2' });
    expect(thrownCode(() => alignUniformLoss(z, z, { alignWeight: -1 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'alignWeight' });
    tf.dispose([z, other, one, empty, rank1]);
  });

  it('exports exactly these names, with frozen defaults', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ALIGNMENT_DEFAULTS',
      'ALIGNMENT_EPSILON',
      'ALIGN_UNIFORM_DEFAULTS',
      'UNIFORMITY_DEFAULTS',
      'alignUniformLoss',
      'alignmentLoss',
      'uniformityLoss',
    ]);
    expect(Object.isFrozen(api.ALIGNMENT_DEFAULTS) && Object.isFrozen(api.UNIFORMITY_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(api.ALIGN_UNIFORM_DEFAULTS)).toBe(true);
  });
});
