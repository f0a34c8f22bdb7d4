import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { checkGradients, describeBackends, expectClose, expectNoLeak, toTensor2d } from '@contrastive/test-utils';
import { asMatrix, f32Matrix, infoNceReference, SPEC_VECTORS, thrownCode } from '@contrastive/test-utils/reference/infonce';
import { infoNceLoss, INFO_NCE_DEFAULTS } from './index';

function value(t: tf.Tensor): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  return t.dataSync()[0]!;
}

describeBackends(['cpu', 'wasm'], () => {
  it('matches the float64 reference over batch, queue sizes and temperatures', () => {
    let seed = 100;
    for (const [batch, queue] of [[1, 1], [2, 3], [4, 8], [8, 7], [8, 9], [16, 64]] as const) {
      for (const dim of [1, 5]) {
        for (const temperature of [0.05, 0.07, 0.2, 1, 10]) {
          const [q, k, n] = [f32Matrix(seed++, batch, dim), f32Matrix(seed++, batch, dim), f32Matrix(seed++, queue, dim)];
          const [tq, tk, tn] = [toTensor2d(q), toTensor2d(k), toTensor2d(n)];
          const loss = expectNoLeak(() => infoNceLoss(tq, tk, tn, { temperature }));
          expectClose(value(loss), infoNceReference(q, k, n, { temperature }), { atol: 2e-5, rtol: 2e-5 });
          tf.dispose([tq, tk, tn, loss]);
        }
      }
    }
  });

  it('reproduces the spec §8 MoCo vector', () => {
    const [q, k, n] = [SPEC_VECTORS.z1, SPEC_VECTORS.z2, SPEC_VECTORS.queue].map((m) => tf.tensor2d(m as number[][]));
    const loss = infoNceLoss(q as tf.Tensor2D, k as tf.Tensor2D, n as tf.Tensor2D, { temperature: 0.2 });
    expectClose(value(loss), 0.012158, { atol: 2e-6, rtol: 0 });
    tf.dispose([q!, k!, n!, loss]);
  });

  it('gives log(K + 1) when query, key and every negative coincide', () => {
    // All logits equal 1/tau, so the softmax over 1 + K columns is uniform.
    for (const negatives of [1, 4, 100]) {
      const one = tf.tensor2d([[1, 2, -2]]);
      const [q, n] = tf.tidy(() => [tf.tile(one, [3, 1]), tf.tile(one, [negatives, 1])] as tf.Tensor2D[]);
      const loss = infoNceLoss(q!, q!, n!, { temperature: 0.07 });
      expectClose(value(loss), Math.log(negatives + 1), { atol: 1e-5, rtol: 1e-5 });
      tf.dispose([one, q!, n!, loss]);
    }
  });

  it('is invariant to permuting the batch and to permuting the queue', () => {
    const [q, k, n] = [toTensor2d(f32Matrix(7, 6, 4)), toTensor2d(f32Matrix(8, 6, 4)), toTensor2d(f32Matrix(9, 10, 4))];
    const base = value(infoNceLoss(q, k, n));
    const [pq, pk, pn] = tf.tidy(() => {
      const perm = tf.tensor1d([5, 2, 0, 4, 1, 3], 'int32');
      const queuePerm = tf.reverse(tf.range(0, 10, 1, 'int32'));
      return [tf.gather(q, perm), tf.gather(k, perm), tf.gather(n, queuePerm)] as tf.Tensor2D[];
    });
    expectClose(value(infoNceLoss(pq!, pk!, pn!)), base, { atol: 1e-6, rtol: 1e-6 });
    tf.dispose([q, k, n, pq!, pk!, pn!]);
  });

  it('stays finite at temperature 0.02, inputs of norm 1e3 and a 65536-entry queue', () => {
    const q = toTensor2d(f32Matrix(1, 8, 16, 250));
    const k = toTensor2d(f32Matrix(2, 8, 16, 250));
    const n = toTensor2d(f32Matrix(3, 65536, 16, 250));
    const [loss, grad] = tf.tidy(() => {
      const g = tf.valueAndGrad((x: tf.Tensor) => infoNceLoss(x as tf.Tensor2D, k, n, { temperature: 0.02 }))(q);
      return [g.value, g.grad];
    });
    expect(Number.isFinite(value(loss))).toBe(true);
    expect(grad.dataSync().every(Number.isFinite)).toBe(true);
    tf.dispose([q, k, n, loss, grad]);
  });

  it('sends gradient only to the query by default', () => {
    const [q, k, n] = [toTensor2d(f32Matrix(5, 3, 4)), toTensor2d(f32Matrix(6, 3, 4)), toTensor2d(f32Matrix(7, 5, 4))];
    const grads = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      infoNceLoss(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D))([q, k, n]));
    expect(tf.tidy(() => tf.max(tf.abs(grads[0]!))).dataSync()[0]!).toBeGreaterThan(0);
    expectClose(grads[1]!, Array.from({ length: 3 }, () => [0, 0, 0, 0]));
    expectClose(grads[2]!, Array.from({ length: 5 }, () => [0, 0, 0, 0]));
    tf.dispose([q, k, n, ...grads]);
  });
});

describe('infoNceLoss gradients', () => {
  const [batch, dim, queue] = [3, 4, 5];
  const [q, k, n] = [f32Matrix(61, batch, dim), f32Matrix(62, batch, dim), f32Matrix(63, queue, dim)];
  const inputs = [
    { values: q.data, shape: [batch, dim] },
    { values: k.data, shape: [batch, dim] },
    { values: n.data, shape: [queue, dim] },
  ];
  const ref = (o: { temperature: number; normalize?: boolean }) => (x: Float64Array, y: Float64Array, z: Float64Array) =>
    infoNceReference(asMatrix(x, dim), asMatrix(y, dim), asMatrix(z, dim), o);
  for (const options of [{ temperature: 0.2 }, { temperature: 0.07 }, { temperature: 0.5, normalize: false }]) {
    it(`of the query match the reference for ${JSON.stringify(options)}`, () => {
      checkGradients((x, y, z) => infoNceLoss(x as tf.Tensor2D, y as tf.Tensor2D, z as tf.Tensor2D, options), ref(options), inputs, { wrt: [0] });
    });
  }
  it('of the key and the negatives match the reference with the stop-gradients off', () => {
    const options = { temperature: 0.3, stopGradientKey: false, stopGradientNegatives: false };
    checkGradients((x, y, z) => infoNceLoss(x as tf.Tensor2D, y as tf.Tensor2D, z as tf.Tensor2D, options), ref(options), inputs);
  });
  it('of the key alone when only the key stop-gradient is off', () => {
    const options = { temperature: 0.3, stopGradientKey: false };
    checkGradients((x, y, z) => infoNceLoss(x as tf.Tensor2D, y as tf.Tensor2D, z as tf.Tensor2D, options), ref(options), inputs, { wrt: [0, 1] });
  });
});

describe('infoNceLoss input checks', () => {
  it('throws ContrastiveError with the code and argument', () => {
    const q = tf.zeros([4, 3]) as tf.Tensor2D;
    const n = tf.zeros([6, 3]) as tf.Tensor2D;
    const wrongDim = tf.zeros([6, 2]) as tf.Tensor2D;
    const short = tf.zeros([3, 3]) as tf.Tensor2D;
    const empty = tf.zeros([0, 3]) as tf.Tensor2D;
    const rank3 = tf.zeros([1, 4, 3]) as unknown as tf.Tensor2D;
    expect(thrownCode(() => infoNceLoss(rank3, q, n))).toEqual({ code: 'RANK_MISMATCH', argument: 'query' });
    expect(thrownCode(() => infoNceLoss(q, short, n))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'key' });
    expect(thrownCode(() => infoNceLoss(q, q, wrongDim))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'negatives' });
    expect(thrownCode(() => infoNceLoss(q, q, empty))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'negatives' });
    expect(thrownCode(() => infoNceLoss(empty, empty, n))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'query' });
    expect(thrownCode(() => infoNceLoss(q, q, n, { temperature: 0 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'temperature' });
    expect(thrownCode(() => infoNceLoss(q, q, n, { temperature: NaN }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'temperature' });
    tf.dispose([q, n, wrongDim, short, empty, rank3]);
  });

  it('exports frozen defaults', () => {
    expect(Object.isFrozen(INFO_NCE_DEFAULTS)).toBe(true);
    expect(INFO_NCE_DEFAULTS.temperature).toBe(0.2);
  });
});
