import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
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
import {
  asMatrix,
  dystressDclLossReference,
  dystressLossReference,
  matrixOf,
  SPEC8_INPUTS,
} from '@contrastive/test-utils/reference/dystress';
import { DYSTRESS_LOSS_DEFAULTS, dystressDclLoss, dystressLoss, type DystressLossOptions } from './index';

type Loss = typeof dystressLoss;
const LOSSES: [string, Loss, typeof dystressLossReference, number][] = [
  ['dystressLoss', dystressLoss, dystressLossReference, 1],
  ['dystressDclLoss', dystressDclLoss, dystressDclLossReference, 2],
];

function refOptions(o: DystressLossOptions) {
  const r = { ...DYSTRESS_LOSS_DEFAULTS, ...o };
  return { tauMin: r.tauMin, tauMax: r.tauMax, shift: r.shift, scale: r.scale, normalize: r.normalize };
}

function value(t: tf.Scalar): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

describeBackends(['cpu', 'wasm'], () => {
  describe('spec §8 vectors', () => {
    it('DySTreSS NT-Xent (0.1, 0.2) = 0.760704 and constant tau 0.2 = 0.610679', () => {
      const z1 = tf.tensor2d(SPEC8_INPUTS.z1);
      const z2 = tf.tensor2d(SPEC8_INPUTS.z2);
      expectClose(value(dystressLoss(z1, z2, { tauMin: 0.1, tauMax: 0.2 })), 0.760704, { atol: 2e-6 });
      expectClose(value(dystressLoss(z1, z2, { tauMin: 0.2, tauMax: 0.2 })), 0.610679, { atol: 2e-6 });
      const r = dystressLossReference(matrixOf(SPEC8_INPUTS.z1), matrixOf(SPEC8_INPUTS.z2), { tauMin: 0.1, tauMax: 0.2 });
      expect(r).toBeCloseTo(0.760704, 6);
      tf.dispose([z1, z2]);
    });
  });

  for (const [name, loss, reference, minBatch] of LOSSES) {
    describe(name, () => {
      it('matches the float64 reference over sizes, ranges and forms', () => {
        const settings: [number, number, DystressLossOptions][] = [
          [1, 3, { tauMin: 0.1, tauMax: 0.2 }],
          [2, 1, { tauMin: 0.07, tauMax: 0.2 }],
          [2, 5, { tauMin: 0.05, tauMax: 0.5 }],
          [3, 8, { tauMin: 0.5, tauMax: 10 }],
          [8, 16, { tauMin: 0.07, tauMax: 0.2, shift: -0.2, scale: 0.8 }],
          [17, 4, { tauMin: 0.1, tauMax: 0.2, shift: 0.4, scale: 0.7 }],
          [6, 4, { tauMin: 0.1, tauMax: 1, normalize: false }],
        ];
        settings.forEach(([b, d, o], k) => {
          if (b < minBatch) return;
          const scale = o.normalize === false ? 0.3 : 1;
          const a = roundToFloat32(randomMatrix(100 + k, b, d, scale));
          const c = roundToFloat32(randomMatrix(200 + k, b, d, scale));
          const [ta, tc] = [toTensor2d(a), toTensor2d(c)];
          const got = value(loss(ta, tc, o));
          expectClose(got, reference(a, c, refOptions(o)), { atol: 1e-5, rtol: 1e-4 });
          tf.dispose([ta, tc]);
        });
      });

      it('has the reference gradient with temperatures detached and not detached', () => {
        const b = 3;
        const d = 4;
        const a = randomMatrix(7, b, d);
        const c = randomMatrix(8, b, d);
        const fa = roundToFloat32(a);
        const fc = roundToFloat32(c);
        for (const detachTemperature of [true, false]) {
          for (const form of [{}, { shift: 0.1, scale: 0.8 }, { normalize: false, tauMin: 0.5, tauMax: 1 }]) {
            const o: DystressLossOptions = { tauMin: 0.1, tauMax: 0.3, detachTemperature, ...form };
            const frozen = detachTemperature ? { z1: fa, z2: fc } : undefined;
            checkGradients(
              (x, y) => loss(x as tf.Tensor2D, y as tf.Tensor2D, o),
              (x, y) => reference(asMatrix(x, b, d), asMatrix(y, b, d), refOptions(o), frozen),
              [
                { values: a.data, shape: [b, d] },
                { values: c.data, shape: [b, d] },
              ],
              { atol: 2e-4, rtol: 2e-3 },
            );
          }
        }
      });

      it('detaching changes the gradient but not the value', () => {
        const a = toTensor2d(randomMatrix(11, 4, 3));
        const c = toTensor2d(randomMatrix(12, 4, 3));
        const g = (detachTemperature: boolean) =>
          tf.tidy(() => tf.grad((x: tf.Tensor) => loss(x as tf.Tensor2D, c, { detachTemperature }))(a).dataSync().slice());
        const v = (detachTemperature: boolean) => value(loss(a, c, { detachTemperature }));
        // Different kernels (fused op and chain rule) may round the last float32 bit differently.
        expectClose(v(true), v(false), { atol: 0, rtol: 1e-6 });
        const diff = Math.max(...g(true).map((x, i) => Math.abs(x - g(false)[i]!)));
        expect(diff).toBeGreaterThan(1e-3);
        tf.dispose([a, c]);
      });

      it('is symmetric in the views and invariant to a shared batch permutation', () => {
        const a = randomMatrix(21, 5, 6);
        const c = randomMatrix(22, 5, 6);
        const [ta, tc] = [toTensor2d(a), toTensor2d(c)];
        const base = value(loss(ta, tc));
        expectClose(value(loss(tc, ta)), base, { atol: 1e-5 });
        const perm = tf.tensor1d([3, 0, 4, 1, 2], 'int32');
        const [pa, pc] = [tf.gather(ta, perm), tf.gather(tc, perm)];
        expectClose(value(loss(pa as tf.Tensor2D, pc as tf.Tensor2D)), base, { atol: 1e-5 });
        tf.dispose([ta, tc, perm, pa, pc]);
      });

      it('stays finite at tauMin 0.02 with inputs of norm 1e3', () => {
        const a = toTensor2d(randomMatrix(31, 16, 32, 180));
        const c = toTensor2d(randomMatrix(32, 16, 32, 180));
        const o = { tauMin: 0.02, tauMax: 0.2 };
        const [v, g] = tf.tidy(() => {
          const { value: lv, grad } = tf.valueAndGrad((x: tf.Tensor) => loss(x as tf.Tensor2D, c, o))(a);
          return [lv.dataSync()[0]!, grad.dataSync().slice()] as const;
        });
        expect(Number.isFinite(v)).toBe(true);
        expect(g.every(Number.isFinite)).toBe(true);
        tf.dispose([a, c]);
      });

      it('does not leak', () => {
        const a = toTensor2d(randomMatrix(41, 4, 3));
        const c = toTensor2d(randomMatrix(42, 4, 3));
        expectNoLeak(() => loss(a, c)).dispose();
        tf.dispose([a, c]);
      });
    });
  }

  describe('closed forms', () => {
    it('all embeddings equal: NT-Xent gives log(2B - 1); DCL gives 1/tauMax + 2 log(B - 1)', () => {
      const b = 4;
      const same = tf.tidy(() => tf.tile(tf.tensor2d([[0.3, -1.2, 2]]), [b, 1])) as tf.Tensor2D;
      expectClose(value(dystressLoss(same, same)), Math.log(2 * b - 1), { atol: 2e-5 });
      const { tauMax } = DYSTRESS_LOSS_DEFAULTS;
      expectClose(value(dystressDclLoss(same, same)), 1 / tauMax + 2 * Math.log(b - 1), { atol: 1e-4 });
      same.dispose();
    });
  });
});

describe('dystress losses reject bad input', () => {
  it('throws ContrastiveError with codes', () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const c = tf.zeros([3, 5]) as tf.Tensor2D;
    const one = tf.zeros([1, 4]) as tf.Tensor2D;
    const empty = tf.zeros([0, 4]) as tf.Tensor2D;
    const v = tf.zeros([4]) as unknown as tf.Tensor2D;
    for (const [, loss] of LOSSES) {
      expect(codeOf(() => loss(v, a))).toEqual(['RANK_MISMATCH', 'z1']);
      expect(codeOf(() => loss(a, v))).toEqual(['RANK_MISMATCH', 'z2']);
      expect(codeOf(() => loss(a, c))).toEqual(['SHAPE_MISMATCH', 'z2']);
      expect(codeOf(() => loss(empty, empty))).toEqual(['SHAPE_MISMATCH', 'z1']);
      expect(codeOf(() => loss(a, a, { tauMin: 0 }))).toEqual(['OUT_OF_RANGE', 'tauMin']);
      expect(codeOf(() => loss(a, a, { tauMax: -0.1 }))).toEqual(['OUT_OF_RANGE', 'tauMax']);
    }
    expect(codeOf(() => dystressDclLoss(one, one))).toEqual(['SHAPE_MISMATCH', 'z1']);
    expect(Object.isFrozen(DYSTRESS_LOSS_DEFAULTS)).toBe(true);
    tf.dispose([a, c, one, empty, v]);
  });
});

