import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createRng } from '@contrastive/core';
import {
  checkGradients,
  codeOf,
  describeBackends,
  expectClose,
  expectNoLeak,
  randomMatrix,
  roundToFloat32,
  toTensor2d,
} from '@contrastive/test-utils';
import { asMatrix, SPEC8_INPUTS } from '@contrastive/test-utils/reference/dystress';
import { eqcoLossReference, simoLossReference } from '@contrastive/test-utils/reference/eqco';
import { EQCO_LOSS_DEFAULTS, eqcoLoss, SIMO_LOSS_DEFAULTS, simoLoss } from './index';

function value(t: tf.Scalar): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

describeBackends(['cpu', 'wasm'], () => {
  describe('spec §8 vectors', () => {
    it('EqCo with queue: alpha = K gives InfoNCE 0.012158; alpha 65536 gives 5.555919', () => {
      const [q, k, n] = [SPEC8_INPUTS.z1, SPEC8_INPUTS.z2, SPEC8_INPUTS.queue].map((m) => tf.tensor2d(m)) as tf.Tensor2D[];
      expectClose(value(eqcoLoss(q!, k!, n!, { temperature: 0.2, alpha: 3 })), 0.012158, { atol: 2e-6 });
      expectClose(value(eqcoLoss(q!, k!, n!, { temperature: 0.2, alpha: 65536 })), 5.555919, { atol: 1e-5 });
      tf.dispose([q!, k!, n!]);
    });
    it('SiMo-style in-batch: alpha 2 gives 0.348548; alpha 256 gives 3.875422', () => {
      const [q, k] = [SPEC8_INPUTS.z1, SPEC8_INPUTS.z2].map((m) => tf.tensor2d(m)) as tf.Tensor2D[];
      expectClose(value(simoLoss(q!, k!, { temperature: 0.2, alpha: 2 })), 0.348548, { atol: 2e-6 });
      expectClose(value(simoLoss(q!, k!, { temperature: 0.2, alpha: 256 })), 3.875422, { atol: 1e-5 });
      tf.dispose([q!, k!]);
    });
  });

  describe('eqcoLoss', () => {
    it('matches the float64 reference over sizes, queue sizes, temperatures and alphas', () => {
      const settings: [number, number, number, number, number][] = [
        [1, 3, 1, 0.2, 256],
        [2, 4, 3, 0.05, 1],
        [2, 1, 8, 1, 8],
        [5, 16, 64, 0.07, 65536],
        [8, 8, 24, 10, 16],
        [16, 32, 96, 0.2, 256],
        [4, 8, 16, 0.025, 64], // 2/tau + log K above the direct-read range: max-shifted lse
      ];
      settings.forEach(([b, d, kq, temperature, alpha], s) => {
        const q = roundToFloat32(randomMatrix(300 + s, b, d));
        const k = roundToFloat32(randomMatrix(400 + s, b, d));
        const n = roundToFloat32(randomMatrix(500 + s, kq, d));
        const t = [q, k, n].map(toTensor2d);
        const got = value(eqcoLoss(t[0]!, t[1]!, t[2]!, { temperature, alpha }));
        expectClose(got, eqcoLossReference(q, k, n, { temperature, alpha }), { atol: 1e-5, rtol: 1e-5 });
        tf.dispose(t);
      });
    });

    it('depends on K only through alpha/K: duplicating every negative leaves it unchanged', () => {
      // (alpha / 2K) * 2 sum_j exp(s_j / tau) = (alpha / K) sum_j exp(s_j / tau).
      const q = toTensor2d(randomMatrix(1, 4, 6));
      const k = toTensor2d(randomMatrix(2, 4, 6));
      const n = toTensor2d(randomMatrix(3, 5, 6));
      const nn = tf.concat([n, n], 0) as tf.Tensor2D;
      expectClose(value(eqcoLoss(q, k, nn, { alpha: 10 })), value(eqcoLoss(q, k, n, { alpha: 10 })), { atol: 1e-5 });
      expect(value(eqcoLoss(q, k, n, { alpha: 10 }))).not.toBeCloseTo(value(eqcoLoss(q, k, n, { alpha: 20 })), 3);
      tf.dispose([q, k, n, nn]);
    });

    it('has the reference gradient for the query; key and negatives get none', () => {
      const [b, d, kq] = [3, 4, 5];
      const q = randomMatrix(61, b, d);
      const k = roundToFloat32(randomMatrix(62, b, d));
      const n = roundToFloat32(randomMatrix(63, kq, d));
      const [tk, tn] = [toTensor2d(k), toTensor2d(n)];
      for (const o of [{ temperature: 0.2, alpha: 256 }, { temperature: 0.5, alpha: 2 }, { temperature: 2, alpha: 8, normalize: false }]) {
        checkGradients(
          (x) => eqcoLoss(x as tf.Tensor2D, tk, tn, o),
          (x) => eqcoLossReference(asMatrix(x, b, d), k, n, o),
          [{ values: q.data, shape: [b, d] }],
        );
      }
      const tq = toTensor2d(q);
      const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) =>
        eqcoLoss(a as tf.Tensor2D, c as tf.Tensor2D, e as tf.Tensor2D))([tq, tk, tn]);
      expect(tf.max(tf.abs(grads[1]!)).dataSync()[0]).toBe(0);
      expect(tf.max(tf.abs(grads[2]!)).dataSync()[0]).toBe(0);
      expect(tf.max(tf.abs(grads[0]!)).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([tq, tk, tn, ...grads]);
    });

    it('closed form: all embeddings equal gives log(1 + alpha)', () => {
      // Every similarity is 1: log(exp(1/t) + (alpha/K) K exp(1/t)) - 1/t = log(1 + alpha).
      const q = tf.tidy(() => tf.tile(tf.tensor2d([[1, 2, -1]]), [4, 1])) as tf.Tensor2D;
      const n = tf.tidy(() => tf.tile(tf.tensor2d([[2, 4, -2]]), [7, 1])) as tf.Tensor2D;
      expectClose(value(eqcoLoss(q, q, n, { alpha: 3 })), Math.log(4), { atol: 1e-5 });
      expectClose(value(eqcoLoss(q, q, n, { alpha: 65536 })), Math.log(65537), { atol: 1e-4 });
      tf.dispose([q, n]);
    });

    it('is invariant to a batch permutation and to the order of negatives', () => {
      const q = toTensor2d(randomMatrix(71, 5, 4));
      const k = toTensor2d(randomMatrix(72, 5, 4));
      const n = toTensor2d(randomMatrix(73, 9, 4));
      const base = value(eqcoLoss(q, k, n));
      const p = tf.tensor1d([4, 2, 0, 1, 3], 'int32');
      const r = tf.reverse(n, 0) as tf.Tensor2D;
      const [pq, pk] = [tf.gather(q, p), tf.gather(k, p)] as tf.Tensor2D[];
      expectClose(value(eqcoLoss(pq!, pk!, r)), base, { atol: 1e-5 });
      tf.dispose([q, k, n, p, r, pq!, pk!]);
    });

    it('stays finite at temperature 0.02, inputs of norm 1e3 and a 65536-entry queue', () => {
      const q = toTensor2d(randomMatrix(81, 4, 16, 250));
      const k = toTensor2d(randomMatrix(82, 4, 16, 250));
      const n = toTensor2d(randomMatrix(83, 65536, 16, 250));
      const o = { temperature: 0.02, alpha: 65536 };
      const [v, g] = tf.tidy(() => {
        const r = tf.valueAndGrad((x: tf.Tensor) => eqcoLoss(x as tf.Tensor2D, k, n, o))(q);
        return [r.value.dataSync()[0]!, r.grad.dataSync().slice()] as const;
      });
      expect(Number.isFinite(v)).toBe(true);
      expect(g.every(Number.isFinite)).toBe(true);
      tf.dispose([q, k, n]);
    });

    it('does not leak', () => {
      const t = [randomMatrix(91, 3, 4), randomMatrix(92, 3, 4), randomMatrix(93, 6, 4)].map(toTensor2d);
      expectNoLeak(() => eqcoLoss(t[0]!, t[1]!, t[2]!)).dispose();
      tf.dispose(t);
    });
  });

  describe('simoLoss', () => {
    it('matches the float64 reference, with and without subsampling', () => {
      const settings: [number, number, number, number, number][] = [
        [2, 3, 256, 0.2, 256],
        [3, 1, 1, 0.05, 2],
        [6, 8, 3, 1, 16],
        [9, 16, 256, 0.07, 256],
        [17, 8, 5, 10, 64],
        [33, 16, 16, 0.2, 65536],
        [9, 8, 256, 0.025, 256], // logit range too wide to read -log P_ii directly
        [12, 8, 3, 0.025, 256],
      ];
      settings.forEach(([b, d, numNegatives, temperature, alpha], s) => {
        const q = roundToFloat32(randomMatrix(600 + s, b, d));
        const k = roundToFloat32(randomMatrix(700 + s, b, d));
        const [tq, tk] = [toTensor2d(q), toTensor2d(k)];
        const seed = 40 + s;
        const got = value(simoLoss(tq, tk, { temperature, alpha, numNegatives, seed }));
        const kk = Math.min(numNegatives, b - 1);
        const columns = kk < b - 1 ? createRng(seed).permutation(b - 1).slice(0, kk) : undefined;
        expectClose(got, simoLossReference(q, k, { temperature, alpha }, columns), { atol: 1e-5, rtol: 1e-5 });
        tf.dispose([tq, tk]);
      });
    });

    it('selects the same negatives exactly without normalisation (offset-free path)', () => {
      const q = roundToFloat32(randomMatrix(661, 9, 5, 0.4));
      const k = roundToFloat32(randomMatrix(662, 9, 5, 0.4));
      const [tq, tk] = [toTensor2d(q), toTensor2d(k)];
      const o = { temperature: 0.3, alpha: 4, numNegatives: 3, seed: 5, normalize: false };
      const columns = createRng(5).permutation(8).slice(0, 3);
      expectClose(value(simoLoss(tq, tk, o)), simoLossReference(q, k, o, columns), { atol: 1e-5, rtol: 1e-5 });
      tf.dispose([tq, tk]);
    });

    it('equals eqcoLoss with the other keys as negatives when B = 2', () => {
      const q = toTensor2d(randomMatrix(5, 2, 4));
      const k = toTensor2d(randomMatrix(6, 2, 4));
      const got = value(simoLoss(q, k, { alpha: 1 }));
      const rows = [0, 1].map((i) =>
        value(eqcoLoss(tf.slice(q, [i, 0], [1, 4]), tf.slice(k, [i, 0], [1, 4]), tf.slice(k, [1 - i, 0], [1, 4]), { alpha: 1 })),
      );
      expectClose(got, (rows[0]! + rows[1]!) / 2, { atol: 1e-6 });
      tf.dispose([q, k]);
    });

    it('is reproducible per seed, and the seed matters only when subsampling', () => {
      const q = toTensor2d(randomMatrix(7, 12, 8));
      const k = toTensor2d(randomMatrix(8, 12, 8));
      const a = value(simoLoss(q, k, { numNegatives: 4, seed: 1 }));
      expect(value(simoLoss(q, k, { numNegatives: 4, seed: 1 }))).toBe(a);
      expect(value(simoLoss(q, k, { numNegatives: 4, seed: 2 }))).not.toBeCloseTo(a, 4);
      expect(value(simoLoss(q, k, { seed: 1 }))).toBeCloseTo(value(simoLoss(q, k, { seed: 2 })), 6);
      tf.dispose([q, k]);
    });

    it('has the reference gradient for the query (with subsampling too)', () => {
      const [b, d] = [4, 3];
      const q = randomMatrix(51, b, d);
      const k = roundToFloat32(randomMatrix(52, b, d));
      const tk = toTensor2d(k);
      for (const o of [
        { temperature: 0.2, alpha: 256 },
        { temperature: 0.5, alpha: 3, numNegatives: 2, seed: 9 },
        { temperature: 2, alpha: 3, normalize: false },
      ]) {
        const kk = Math.min(o.numNegatives ?? 256, b - 1);
        const columns = kk < b - 1 ? createRng(o.seed ?? 0).permutation(b - 1).slice(0, kk) : undefined;
        checkGradients(
          (x) => simoLoss(x as tf.Tensor2D, tk, o),
          (x) => simoLossReference(asMatrix(x, b, d), k, o, columns),
          [{ values: q.data, shape: [b, d] }],
        );
      }
      tk.dispose();
    });

    it('has the reference gradient when few negatives take the 2K-key product path', () => {
      // 2K < B (or unnormalised rows): logits against the keys c and c + 1 of every chosen
      // off-diagonal column c, picked per row; keys get a zero gradient.
      const [b, d] = [7, 3];
      const q = randomMatrix(53, b, d);
      const k = roundToFloat32(randomMatrix(54, b, d));
      const tk = toTensor2d(k);
      for (const o of [
        { temperature: 0.3, alpha: 5, numNegatives: 2, seed: 4 },
        { temperature: 0.5, alpha: 3, numNegatives: 3, seed: 8, normalize: false },
        { temperature: 0.5, alpha: 3, numNegatives: 5, seed: 2, normalize: false },
      ]) {
        const columns = createRng(o.seed).permutation(b - 1).slice(0, o.numNegatives);
        checkGradients(
          (x) => simoLoss(x as tf.Tensor2D, tk, o),
          (x) => simoLossReference(asMatrix(x, b, d), k, o, columns),
          [{ values: q.data, shape: [b, d] }],
        );
      }
      const tq = toTensor2d(q);
      const grads = tf.grads((a: tf.Tensor, c: tf.Tensor) => simoLoss(a as tf.Tensor2D, c as tf.Tensor2D, { numNegatives: 2 }))([tq, tk]);
      expect(tf.max(tf.abs(grads[1]!)).dataSync()[0]).toBe(0);
      tf.dispose([tq, tk, ...grads]);
    });
    it('closed form: all embeddings equal gives log(1 + alpha)', () => {
      const q = tf.tidy(() => tf.tile(tf.tensor2d([[1, 2, -1]]), [6, 1])) as tf.Tensor2D;
      expectClose(value(simoLoss(q, q, { alpha: 256 })), Math.log(257), { atol: 1e-4 });
      q.dispose();
    });

    it('stays finite at temperature 0.02 with inputs of norm 1e3', () => {
      const q = toTensor2d(randomMatrix(85, 32, 16, 250));
      const k = toTensor2d(randomMatrix(86, 32, 16, 250));
      const [v, g] = tf.tidy(() => {
        const r = tf.valueAndGrad((x: tf.Tensor) => simoLoss(x as tf.Tensor2D, k, { temperature: 0.02 }))(q);
        return [r.value.dataSync()[0]!, r.grad.dataSync().slice()] as const;
      });
      expect(Number.isFinite(v)).toBe(true);
      expect(g.every(Number.isFinite)).toBe(true);
      tf.dispose([q, k]);
    });

    it('does not leak', () => {
      const t = [randomMatrix(95, 6, 4), randomMatrix(96, 6, 4)].map(toTensor2d);
      expectNoLeak(() => simoLoss(t[0]!, t[1]!)).dispose();
      expectNoLeak(() => simoLoss(t[0]!, t[1]!, { numNegatives: 2, seed: 3 })).dispose();
      tf.dispose(t);
    });
  });
});

describe('EqCo losses reject bad input', () => {
  it('throws ContrastiveError with codes', () => {
    const q = tf.zeros([3, 4]) as tf.Tensor2D;
    const k5 = tf.zeros([3, 5]) as tf.Tensor2D;
    const n = tf.zeros([6, 4]) as tf.Tensor2D;
    const n5 = tf.zeros([6, 5]) as tf.Tensor2D;
    const none = tf.zeros([0, 4]) as tf.Tensor2D;
    const one = tf.zeros([1, 4]) as tf.Tensor2D;
    const v = tf.zeros([4]) as unknown as tf.Tensor2D;
    expect(codeOf(() => eqcoLoss(v, q, n))).toEqual(['RANK_MISMATCH', 'query']);
    expect(codeOf(() => eqcoLoss(q, q, v))).toEqual(['RANK_MISMATCH', 'negatives']);
    expect(codeOf(() => eqcoLoss(q, k5, n))).toEqual(['SHAPE_MISMATCH', 'key']);
    expect(codeOf(() => eqcoLoss(q, q, n5))).toEqual(['SHAPE_MISMATCH', 'negatives']);
    expect(codeOf(() => eqcoLoss(none, none, n))).toEqual(['SHAPE_MISMATCH', 'query']);
    expect(codeOf(() => eqcoLoss(q, q, none))).toEqual(['SHAPE_MISMATCH', 'negatives']);
    expect(codeOf(() => eqcoLoss(q, q, n, { temperature: 0 }))).toEqual(['OUT_OF_RANGE', 'temperature']);
    expect(codeOf(() => eqcoLoss(q, q, n, { alpha: 0 }))).toEqual(['OUT_OF_RANGE', 'alpha']);
    expect(codeOf(() => simoLoss(v, q))).toEqual(['RANK_MISMATCH', 'query']);
    expect(codeOf(() => simoLoss(q, k5))).toEqual(['SHAPE_MISMATCH', 'keys']);
    expect(codeOf(() => simoLoss(none, none))).toEqual(['SHAPE_MISMATCH', 'query']);
    expect(codeOf(() => simoLoss(one, one))).toEqual(['SHAPE_MISMATCH', 'query']);
    expect(codeOf(() => simoLoss(q, q, { temperature: -1 }))).toEqual(['OUT_OF_RANGE', 'temperature']);
    expect(codeOf(() => simoLoss(q, q, { alpha: -2 }))).toEqual(['OUT_OF_RANGE', 'alpha']);
    expect(codeOf(() => simoLoss(q, q, { numNegatives: 0 }))).toEqual(['OUT_OF_RANGE', 'numNegatives']);
    expect(codeOf(() => simoLoss(q, q, { numNegatives: 1.5 }))).toEqual(['OUT_OF_RANGE', 'numNegatives']);
    expect(Object.isFrozen(EQCO_LOSS_DEFAULTS) && Object.isFrozen(SIMO_LOSS_DEFAULTS)).toBe(true);
    tf.dispose([q, k5, n, n5, none, one, v]);
  });
});
