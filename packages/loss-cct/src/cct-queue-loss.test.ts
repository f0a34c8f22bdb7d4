import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  codeOf,
  describeBackends,
  expectClose,
  expectNoLeak,
  type Matrix,
  randomMatrix,
  roundToFloat32,
  toTensor2d,
} from '@contrastive/test-utils';
import { asMatrix } from '@contrastive/test-utils/reference/dystress';
import { cctQueueTermsReference } from '@contrastive/test-utils/reference/cct';
import { CCT_QUEUE_DEFAULTS, cctQueueLoss, cctQueueTerms, type CctQueueOptions } from './index';

function value(t: tf.Scalar): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

function views(seed: number, v: number, b: number, d: number, scale = 1): Matrix[] {
  return Array.from({ length: v }, (_, i) => roundToFloat32(randomMatrix(seed + i, b, d, scale)));
}

describeBackends(['cpu', 'wasm'], () => {
  describe('cctQueueTerms / cctQueueLoss', () => {
    it('match the float64 reference over views, batch sizes (1 included), queue sizes and options', () => {
      const settings: [number, number, number, number, CctQueueOptions][] = [
        [2, 1, 3, 4, {}],
        [2, 2, 4, 3, { tNeg: 0.5 }],
        [3, 5, 8, 16, { tPos: 2, alpha: 3, beta: 3 }],
        [5, 8, 16, 40, {}],
        [2, 4, 6, 12, { normalize: false, tNeg: 0.7 }],
        [4, 3, 2, 64, { tNeg: 10, tPos: 0 }],
      ];
      settings.forEach(([nv, b, d, k, o], s) => {
        const scale = o.normalize === false ? 0.5 : 1;
        const q = views(2000 + 20 * s, nv, b, d, scale);
        const kk = views(3000 + 20 * s, nv, b, d, scale);
        const n = roundToFloat32(randomMatrix(4000 + s, k, d, scale));
        const [tq, tk, tn] = [q.map(toTensor2d), kk.map(toTensor2d), toTensor2d(n)];
        const r = cctQueueTerms(tq, tk, tn, o);
        const e = cctQueueTermsReference(q, kk, n, { ...CCT_QUEUE_DEFAULTS, ...o });
        expectClose([value(r.attraction), value(r.repulsion)], [e.attraction, e.repulsion], { atol: 1e-5, rtol: 1e-4 });
        expectClose(value(cctQueueLoss(tq, tk, tn, o)), e.attraction + e.repulsion, { atol: 2e-5, rtol: 1e-4 });
        tf.dispose([...tq, ...tk, tn]);
      });
    });

    it('has the reference gradient for the queries, plans detached or not; keys and queue get none', () => {
      const [nv, b, d, k] = [2, 3, 4, 5];
      const q = Array.from({ length: nv }, (_, i) => randomMatrix(500 + i, b, d));
      const kk = views(600, nv, b, d);
      const n = roundToFloat32(randomMatrix(700, k, d));
      const [tk, tn] = [kk.map(toTensor2d), toTensor2d(n)];
      const frozen = q.map(roundToFloat32);
      for (const [detachWeights, normalize] of [[true, true], [false, true], [true, false]] as const) {
        const o = { tPos: normalize ? 1.5 : 0.3, tNeg: normalize ? 2 : 0.4, alpha: 1, beta: 1, detachWeights, normalize };
        checkGradients(
          (...xs) => cctQueueLoss(xs as tf.Tensor2D[], tk, tn, o),
          (...xs) => {
            const e = cctQueueTermsReference(xs.map((x) => asMatrix(x, b, d)), kk, n, o, detachWeights ? frozen : undefined);
            return e.attraction + e.repulsion;
          },
          q.map((x) => ({ values: x.data, shape: [b, d] })),
        );
      }
      const tq = q.map(toTensor2d);
      const grads = tf.grads((...xs: tf.Tensor[]) =>
        cctQueueLoss(xs.slice(0, 2) as tf.Tensor2D[], xs.slice(2, 4) as tf.Tensor2D[], xs[4] as tf.Tensor2D))([
        ...tq,
        ...tk,
        tn,
      ]);
      const peak = grads.map((g) => tf.max(tf.abs(g)).dataSync()[0]!);
      expect(peak[0]).toBeGreaterThan(0);
      expect(peak.slice(2)).toEqual([0, 0, 0]);
      tf.dispose([...tq, ...tk, tn, ...grads]);
    });

    it('computes every view against the queue with its own similarities (view order does not matter)', () => {
      const q = views(800, 3, 4, 6).map(toTensor2d);
      const k = views(810, 3, 4, 6).map(toTensor2d);
      const n = toTensor2d(randomMatrix(820, 32, 6));
      const base = value(cctQueueLoss(q, k, n));
      const order = [2, 0, 1];
      expectClose(value(cctQueueLoss(order.map((i) => q[i]!), order.map((i) => k[i]!), n)), base, { atol: 1e-6 });
      tf.dispose([...q, ...k, n]);
    });

    it('closed form: keys equal to queries and a queue of orthogonal directions', () => {
      // Two equal views: attraction 0. With q rows e_i (B = 2) and queue rows e_3.., every
      // negative distance is 2, so repulsion = -2 beta.
      const e = tf.eye(6) as tf.Tensor2D;
      const q = tf.slice(e, [0, 0], [2, 6]) as tf.Tensor2D;
      const n = tf.slice(e, [2, 0], [4, 6]) as tf.Tensor2D;
      const r = cctQueueTerms([q, q], [q, q], n, { beta: 2 });
      expectClose([value(r.attraction), value(r.repulsion)], [0, -4], { atol: 1e-6 });
      tf.dispose([e, q, n]);
    });

    it('stays finite at t- = 50 (tau 0.02), inputs of norm 1e3 and a 65536-entry queue', () => {
      const q = views(900, 2, 4, 16, 250).map(toTensor2d);
      const k = views(910, 2, 4, 16, 250).map(toTensor2d);
      const n = toTensor2d(randomMatrix(920, 65536, 16, 250));
      for (const detachWeights of [true, false]) {
        const o = { tPos: 50, tNeg: 50, detachWeights };
        const [v, g] = tf.tidy(() => {
          const r = tf.valueAndGrad((x: tf.Tensor) => cctQueueLoss([x as tf.Tensor2D, q[1]!], k, n, o))(q[0]!);
          return [r.value.dataSync()[0]!, r.grad.dataSync().slice()] as const;
        });
        expect(Number.isFinite(v)).toBe(true);
        expect(g.every(Number.isFinite)).toBe(true);
      }
      tf.dispose([...q, ...k, n]);
    });

    it('does not leak', () => {
      const q = views(950, 2, 3, 4).map(toTensor2d);
      const n = toTensor2d(randomMatrix(960, 8, 4));
      expectNoLeak(() => cctQueueLoss(q, q, n)).dispose();
      const r = expectNoLeak(() => cctQueueTerms(q, q, n, { detachWeights: false }), 2);
      tf.dispose([r.attraction, r.repulsion, ...q, n]);
    });
  });
});

describe('cctQueueLoss rejects bad input', () => {
  it('throws ContrastiveError with codes', () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const c = tf.zeros([3, 5]) as tf.Tensor2D;
    const n = tf.zeros([8, 4]) as tf.Tensor2D;
    const empty = tf.zeros([0, 4]) as tf.Tensor2D;
    const v = tf.zeros([4]) as unknown as tf.Tensor2D;
    expect(codeOf(() => cctQueueLoss([a], [a], n))).toEqual(['INVALID_ARGUMENT', 'queries']);
    expect(codeOf(() => cctQueueLoss([a, a], [a, a, a], n))).toEqual(['SHAPE_MISMATCH', 'keys']);
    expect(codeOf(() => cctQueueLoss([a, v], [a, a], n))).toEqual(['RANK_MISMATCH', 'queries[1]']);
    expect(codeOf(() => cctQueueLoss([a, c], [a, a], n))).toEqual(['SHAPE_MISMATCH', 'queries[1]']);
    expect(codeOf(() => cctQueueLoss([a, a], [c, c], n))).toEqual(['SHAPE_MISMATCH', 'keys[0]']);
    expect(codeOf(() => cctQueueLoss([empty, empty], [empty, empty], n))).toEqual(['SHAPE_MISMATCH', 'queries[0]']);
    expect(codeOf(() => cctQueueLoss([a, a], [a, a], v))).toEqual(['RANK_MISMATCH', 'queue']);
    expect(codeOf(() => cctQueueLoss([a, a], [a, a], empty))).toEqual(['SHAPE_MISMATCH', 'queue']);
    expect(codeOf(() => cctQueueLoss([a, a], [a, a], c))).toEqual(['SHAPE_MISMATCH', 'queue']);
    expect(codeOf(() => cctQueueLoss([a, a], [a, a], n, { tNeg: -2 }))).toEqual(['OUT_OF_RANGE', 'tNeg']);
    expect(codeOf(() => cctQueueLoss([a, a], [a, a], n, { alpha: 0 }))).toEqual(['OUT_OF_RANGE', 'alpha']);
    expect(codeOf(() => cctQueueTerms([a, a], [a, a], n, { beta: 0 }))).toEqual(['OUT_OF_RANGE', 'beta']);
    expect(Object.isFrozen(CCT_QUEUE_DEFAULTS)).toBe(true);
    tf.dispose([a, c, n, empty, v]);
  });
});
