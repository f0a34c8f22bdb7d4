import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { checkGradients, describeBackends, expectClose, expectNoLeak, toTensor2d } from '@contrastive/test-utils';
import {
  asMatrix,
  f32Matrix,
  ntXentLogitMatrix,
  ntXentReference,
  SPEC_VECTORS,
  thrownCode,
} from '@contrastive/test-utils/reference/infonce';
import { ntXentLogits, ntXentLoss, NT_XENT_DEFAULTS } from './index';

function value(t: tf.Tensor): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  return t.dataSync()[0]!;
}

describeBackends(['cpu', 'wasm'], () => {
  it('matches the float64 reference over batch sizes, dims and temperatures', () => {
    let seed = 1;
    for (const batch of [1, 2, 5, 16]) {
      for (const dim of [1, 3, 8]) {
        for (const temperature of [0.05, 0.1, 0.5, 1, 10]) {
          const a = f32Matrix(seed++, batch, dim);
          const b = f32Matrix(seed++, batch, dim);
          const z1 = toTensor2d(a);
          const z2 = toTensor2d(b);
          const loss = expectNoLeak(() => ntXentLoss(z1, z2, { temperature }));
          expectClose(value(loss), ntXentReference(a, b, { temperature }), { atol: 2e-5, rtol: 2e-5 });
          tf.dispose([z1, z2, loss]);
        }
      }
    }
  });

  it('matches the reference without normalisation and with the simclr-code reduction', () => {
    const a = f32Matrix(11, 6, 4, 0.5);
    const b = f32Matrix(12, 6, 4, 0.5);
    const [z1, z2] = [toTensor2d(a), toTensor2d(b)];
    const raw = ntXentLoss(z1, z2, { temperature: 0.3, normalize: false });
    expectClose(value(raw), ntXentReference(a, b, { temperature: 0.3, normalize: false }), { atol: 2e-5, rtol: 2e-5 });
    const code = ntXentLoss(z1, z2, { temperature: 0.3, reduction: 'simclr-code' });
    const mean = ntXentLoss(z1, z2, { temperature: 0.3 });
    expectClose(value(code), 2 * value(mean), { atol: 1e-6, rtol: 1e-6 });
    tf.dispose([z1, z2, raw, code, mean]);
  });

  it('reproduces the spec §8 test vectors', () => {
    const z1 = tf.tensor2d(SPEC_VECTORS.z1 as number[][]);
    const z2 = tf.tensor2d(SPEC_VECTORS.z2 as number[][]);
    const a = ntXentLoss(z1, z2, { temperature: 0.5 });
    const b = ntXentLoss(z1, z2, { temperature: 0.1 });
    expectClose(value(a), 1.061904, { atol: 2e-6, rtol: 0 });
    expectClose(value(b), 0.249537, { atol: 2e-6, rtol: 0 });
    tf.dispose([z1, z2, a, b]);
  });

  it('gives log(2N - 1) when every embedding is the same (all logits equal)', () => {
    // Every s_ik = 1, so each anchor's softmax over its 2N - 1 columns is
    // uniform and l_i = -log(1 / (2N - 1)).
    for (const batch of [1, 2, 7]) {
      const z = tf.tidy(() => tf.tile(tf.tensor2d([[0.3, -1.2, 2]]), [batch, 1]) as tf.Tensor2D);
      const loss = ntXentLoss(z, z, { temperature: 0.07 });
      expectClose(value(loss), Math.log(2 * batch - 1), { atol: 1e-5, rtol: 1e-5 });
      tf.dispose([z, loss]);
    }
  });

  it('is symmetric in the views and invariant to a shared batch permutation', () => {
    const [z1, z2] = [toTensor2d(f32Matrix(21, 8, 5)), toTensor2d(f32Matrix(22, 8, 5))];
    const perm = tf.tensor1d([3, 0, 7, 1, 6, 2, 5, 4], 'int32');
    const [p1, p2] = [tf.gather(z1, perm), tf.gather(z2, perm)];
    const base = value(ntXentLoss(z1, z2));
    expectClose(value(ntXentLoss(z2, z1)), base, { atol: 1e-6, rtol: 1e-6 });
    expectClose(value(ntXentLoss(p1, p2)), base, { atol: 1e-6, rtol: 1e-6 });
    tf.dispose([z1, z2, perm, p1, p2]);
  });

  it('stays finite at temperature 0.02 with inputs of norm 1e3', () => {
    const [z1, z2] = [toTensor2d(f32Matrix(31, 64, 32, 200)), toTensor2d(f32Matrix(32, 64, 32, 200))];
    const [loss, grads] = tf.tidy(() => {
      const g = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
        ntXentLoss(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: 0.02 }),
      )([z1, z2]);
      return [g.value, g.grads];
    });
    expect(Number.isFinite(value(loss))).toBe(true);
    for (const g of grads) expect(g.dataSync().every(Number.isFinite)).toBe(true);
    // Also raw (unnormalised) inputs: logits of order 1e7 stay finite.
    const raw = ntXentLoss(z1, z2, { temperature: 0.02, normalize: false });
    expect(Number.isFinite(value(raw))).toBe(true);
    tf.dispose([z1, z2, loss, raw, ...grads]);
  });

  it('returns masked logits and labels whose cross-entropy is the loss', () => {
    const a = f32Matrix(41, 4, 3);
    const b = f32Matrix(42, 4, 3);
    const [z1, z2] = [toTensor2d(a), toTensor2d(b)];
    const { logits, labels } = expectNoLeak(() => ntXentLogits(z1, z2, { temperature: 0.5 }));
    expect(logits.shape).toEqual([8, 8]);
    expect(logits.dtype).toBe('float32');
    expect(labels.shape).toEqual([8]);
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.dataSync())).toEqual([4, 5, 6, 7, 0, 1, 2, 3]);
    const got = logits.arraySync();
    const want = ntXentLogitMatrix(a, b, { temperature: 0.5 });
    for (let i = 0; i < 8; i++) {
      for (let k = 0; k < 8; k++) {
        if (i === k) expect(got[i]![k]!).toBeLessThan(-1e3);
        else expectClose(got[i]![k]!, want[i]![k]!, { atol: 1e-5, rtol: 1e-5 });
      }
    }
    const ce = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 8), logits));
    const loss = ntXentLoss(z1, z2, { temperature: 0.5 });
    expectClose(value(ce), value(loss), { atol: 1e-5, rtol: 1e-5 });
    tf.dispose([z1, z2, logits, labels, ce, loss]);
  });
});

describe('ntXentLoss gradients', () => {
  const batch = 3;
  const dim = 4;
  const a = f32Matrix(51, batch, dim);
  const b = f32Matrix(52, batch, dim);
  const inputs = [
    { values: a.data, shape: [batch, dim] },
    { values: b.data, shape: [batch, dim] },
  ];
  for (const options of [
    { temperature: 0.5 },
    { temperature: 0.1, reduction: 'simclr-code' as const },
    { temperature: 0.7, normalize: false },
    { temperature: 2 },
  ]) {
    it(`match finite differences of the reference for ${JSON.stringify(options)}`, () => {
      checkGradients(
        (x, y) => ntXentLoss(x as tf.Tensor2D, y as tf.Tensor2D, options),
        (x, y) => ntXentReference(asMatrix(x, dim), asMatrix(y, dim), options),
        inputs,
      );
    });
  }
});

describe('ntXentLoss input checks', () => {
  it('throws ContrastiveError with the code and argument', () => {
    const z = tf.zeros([4, 3]) as tf.Tensor2D;
    const other = tf.zeros([3, 3]) as tf.Tensor2D;
    const rank1 = tf.zeros([3]) as unknown as tf.Tensor2D;
    const empty = tf.zeros([0, 3]) as tf.Tensor2D;
    expect(thrownCode(() => ntXentLoss(rank1, z))).toEqual({ code: 'RANK_MISMATCH', argument: 'z1' });
    expect(thrownCode(() => ntXentLoss(z, other))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'z2' });
    expect(thrownCode(() => ntXentLoss(empty, empty))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'z1' });
    expect(thrownCode(() => ntXentLoss(z, z, { temperature: 0 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'temperature' });
    expect(thrownCode(() => ntXentLoss(z, z, { temperature: -1 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'temperature' });
    expect(
      thrownCode(() => ntXentLoss(z, z, { reduction: 'sum' as unknown as 'mean' })),
    ).toEqual({ code: 'UNKNOWN_NAME', argument: 'reduction' });
    expect(thrownCode(() => ntXentLogits(z, other))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'z2' });
    const ints = tf.zeros([4, 3], 'int32') as tf.Tensor2D;
    expect(thrownCode(() => ntXentLoss(ints, ints))).toEqual({ code: 'DTYPE_MISMATCH', argument: 'z1' });
    tf.dispose([z, other, rank1, empty, ints]);
  });

  it('exports frozen defaults', () => {
    expect(Object.isFrozen(NT_XENT_DEFAULTS)).toBe(true);
    expect(NT_XENT_DEFAULTS).toEqual({ temperature: 0.1, normalize: true, reduction: 'mean' });
  });
});
