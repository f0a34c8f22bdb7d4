import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { checkGradients, describeBackends, expectClose, expectNoLeak, toTensor2d } from '@contrastive/test-utils';
import { asMatrix, dclReference, f32Matrix, thrownCode } from '@contrastive/test-utils/reference/infonce';
import { dclLoss, DCL_DEFAULTS, ntXentLoss } from './index';

function value(t: tf.Tensor): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  return t.dataSync()[0]!;
}

describeBackends(['cpu', 'wasm'], () => {
  it('matches the float64 reference over batch sizes and temperatures', () => {
    let seed = 300;
    for (const batch of [2, 3, 16]) {
      for (const dim of [1, 6]) {
        for (const temperature of [0.05, 0.1, 0.5, 10]) {
          const [a, b] = [f32Matrix(seed++, batch, dim), f32Matrix(seed++, batch, dim)];
          const [z1, z2] = [toTensor2d(a), toTensor2d(b)];
          const loss = expectNoLeak(() => dclLoss(z1, z2, { temperature }));
          expectClose(value(loss), dclReference(a, b, { temperature }), { atol: 2e-5, rtol: 2e-5 });
          tf.dispose([z1, z2, loss]);
        }
      }
    }
  });

  it('equals log(2N - 2) when every embedding is the same', () => {
    // All logits equal c: l_i = -c + log((2N - 2) e^c).
    const z = tf.tidy(() => tf.tile(tf.tensor2d([[1, 1, 0]]), [5, 1]) as tf.Tensor2D);
    const loss = dclLoss(z, z, { temperature: 0.2 });
    expectClose(value(loss), Math.log(8), { atol: 1e-5, rtol: 1e-5 });
    tf.dispose([z, loss]);
  });

  it('is NT-Xent with the positive term removed from the denominator: DCL = NT-Xent + mean_i log(1 - p_i)', () => {
    // Per anchor, NT-Xent's denominator D_i = sum_{j != i} e^{s_ij}; DCL's is D_i - e^{s_ip}, so
    // l_dcl,i = l_nt,i + log(1 - p_i) with p_i = e^{s_ip} / D_i (float64, from the normalised rows).
    const temperature = 0.3;
    const [a, b] = [f32Matrix(11, 6, 4), f32Matrix(12, 6, 4)];
    const rows = [a, b].flatMap((m) =>
      Array.from({ length: m.rows }, (_, i) => {
        const r = Array.from(m.data.slice(i * m.cols, (i + 1) * m.cols));
        const n = Math.hypot(...r);
        return r.map((x) => x / n);
      }),
    );
    let correction = 0;
    for (let i = 0; i < rows.length; i++) {
      const s = rows.map((r) => Math.exp(r.reduce((acc, x, k) => acc + x * rows[i]![k]!, 0) / temperature));
      const denominator = s.reduce((acc, x, j) => (j === i ? acc : acc + x), 0);
      correction += Math.log(1 - s[(i + a.rows) % rows.length]! / denominator) / rows.length;
    }
    const [z1, z2] = [toTensor2d(a), toTensor2d(b)];
    expectClose(value(dclLoss(z1, z2, { temperature })), value(ntXentLoss(z1, z2, { temperature })) + correction, { atol: 1e-5, rtol: 1e-5 });
    tf.dispose([z1, z2]);
  });

  it('is below NT-Xent (a smaller denominator) and symmetric in the views', () => {
    const [z1, z2] = [toTensor2d(f32Matrix(1, 8, 4)), toTensor2d(f32Matrix(2, 8, 4))];
    const dcl = value(dclLoss(z1, z2));
    expect(dcl).toBeLessThan(value(ntXentLoss(z1, z2)));
    expectClose(value(dclLoss(z2, z1)), dcl, { atol: 1e-6, rtol: 1e-6 });
    tf.dispose([z1, z2]);
  });

  it('stays finite at temperature 0.02 with inputs of norm 1e3', () => {
    const [z1, z2] = [toTensor2d(f32Matrix(3, 32, 16, 250)), toTensor2d(f32Matrix(4, 32, 16, 250))];
    const grads = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => dclLoss(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: 0.02 }))([z1, z2]));
    for (const g of grads) expect(g.dataSync().every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(value(dclLoss(z1, z2, { temperature: 0.02 })))).toBe(true);
    tf.dispose([z1, z2, ...grads]);
  });
});

describe('dclLoss gradients', () => {
  const [batch, dim] = [3, 4];
  const [a, b] = [f32Matrix(71, batch, dim), f32Matrix(72, batch, dim)];
  for (const options of [{ temperature: 0.5 }, { temperature: 0.1, normalize: false }]) {
    it(`match finite differences of the reference for ${JSON.stringify(options)}`, () => {
      checkGradients(
        (x, y) => dclLoss(x as tf.Tensor2D, y as tf.Tensor2D, options),
        (x, y) => dclReference(asMatrix(x, dim), asMatrix(y, dim), options),
        [{ values: a.data, shape: [batch, dim] }, { values: b.data, shape: [batch, dim] }],
      );
    });
  }
});

describe('dclLoss input checks', () => {
  it('needs two rows and positive temperatures', () => {
    const one = tf.zeros([1, 3]) as tf.Tensor2D;
    const z = tf.zeros([4, 3]) as tf.Tensor2D;
    const other = tf.zeros([4, 2]) as tf.Tensor2D;
    expect(thrownCode(() => dclLoss(one, one))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'z1' });
    expect(thrownCode(() => dclLoss(z, other))).toEqual({ code: 'SHAPE_MISMATCH', argument: 'z2' });
    expect(thrownCode(() => dclLoss(z, z, { temperature: -0.1 }))).toEqual({ code: 'OUT_OF_RANGE', argument: 'temperature' });
    expect(Object.isFrozen(DCL_DEFAULTS)).toBe(true);
    tf.dispose([one, z, other]);
  });
});
