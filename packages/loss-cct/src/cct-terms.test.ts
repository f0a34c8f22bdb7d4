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
import { asMatrix, SPEC8_INPUTS } from '@contrastive/test-utils/reference/dystress';
import { cctTermsReference } from '@contrastive/test-utils/reference/cct';
import { CCT_DEFAULTS, cctLoss, cctTerms, type CctOptions } from './index';

function value(t: tf.Scalar): number {
  expect(t.shape).toEqual([]);
  expect(t.dtype).toBe('float32');
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

function terms(views: tf.Tensor2D[], o: CctOptions = {}): [number, number] {
  const r = cctTerms(views, o);
  return [value(r.attraction), value(r.repulsion)];
}

function ref(views: Matrix[], o: CctOptions = {}, frozen?: Matrix[]) {
  return cctTermsReference(views, { ...CCT_DEFAULTS, ...o }, frozen);
}

describeBackends(['cpu', 'wasm'], () => {
  describe('spec §8 vectors', () => {
    it('two views, t+ 1, t- 0.9: L_CA 0.030767, L_CR -0.738545, total -0.707778', () => {
      const v = [SPEC8_INPUTS.z1, SPEC8_INPUTS.z2].map((m) => tf.tensor2d(m)) as tf.Tensor2D[];
      const o = { tPos: 1, tNeg: 0.9, alpha: 1, beta: 1 };
      const [a, r] = terms(v, o);
      expectClose([a, r], [0.030767, -0.738545], { atol: 2e-6 });
      expectClose(value(cctLoss(v, o)), -0.707778, { atol: 2e-6 });
      tf.dispose(v);
    });
    it('three views, t+ 1, t- 2: L_CA 0.056907, L_CR -0.586047, total -0.529140', () => {
      const v = [SPEC8_INPUTS.z1, SPEC8_INPUTS.z2, SPEC8_INPUTS.z3].map((m) => tf.tensor2d(m)) as tf.Tensor2D[];
      const o = { tPos: 1, tNeg: 2, alpha: 1, beta: 1 };
      const [a, r] = terms(v, o);
      expectClose([a, r], [0.056907, -0.586047], { atol: 2e-6 });
      expectClose(value(cctLoss(v, o)), -0.52914, { atol: 2e-6 });
      tf.dispose(v);
    });
  });

  describe('cctTerms / cctLoss', () => {
    it('match the float64 reference over views, sizes and options', () => {
      const settings: [number, number, number, CctOptions][] = [
        [2, 2, 3, {}],
        [2, 2, 1, { tPos: 0.5, tNeg: 2 }],
        [3, 4, 5, { alpha: 2, beta: 0.5 }],
        [5, 8, 16, { tNeg: 10, tPos: 3 }],
        [5, 16, 8, { debiased: true, tauPlus: 0.1, beta: 2 }],
        [4, 6, 4, { normalize: false, tNeg: 0.3 }],
        [2, 32, 32, { tPos: 0, tNeg: 0 }],
      ];
      settings.forEach(([nv, b, d, o], s) => {
        const scale = o.normalize === false ? 0.5 : 1;
        const m = Array.from({ length: nv }, (_, i) => roundToFloat32(randomMatrix(1000 + 10 * s + i, b, d, scale)));
        const t = m.map(toTensor2d);
        const expected = ref(m, o);
        expectClose(terms(t, o), [expected.attraction, expected.repulsion], { atol: 1e-5, rtol: 1e-4 });
        expectClose(value(cctLoss(t, o)), expected.attraction + expected.repulsion, { atol: 2e-5, rtol: 1e-4 });
        tf.dispose(t);
      });
    });

    it('has the reference gradient with plans detached and not detached, debiased or not', () => {
      const [nv, b, d] = [3, 3, 4];
      const m = Array.from({ length: nv }, (_, i) => randomMatrix(77 + i, b, d));
      const frozen = m.map(roundToFloat32);
      for (const detachWeights of [true, false]) {
        for (const extra of [{}, { debiased: true, tauPlus: 0.2, beta: 1.5 }, { normalize: false, tNeg: 0.3, tPos: 0.2 }]) {
          const o: CctOptions = { tPos: 1.5, tNeg: 2, detachWeights, ...extra };
          checkGradients(
            (...xs) => cctLoss(xs as tf.Tensor2D[], o),
            (...xs) => {
              const r = ref(xs.map((x) => asMatrix(x, b, d)), o, detachWeights ? frozen : undefined);
              return r.attraction + r.repulsion;
            },
            m.map((x) => ({ values: x.data, shape: [b, d] })),
          );
        }
      }
    });

    it('each term has its own gradient (weighted sum), over 4 views, plans detached or not', () => {
      // The fused op returns both terms; its backward scales each part by its own dy.
      const [nv, b, d] = [4, 3, 3];
      const m = Array.from({ length: nv }, (_, i) => randomMatrix(91 + i, b, d));
      const frozen = m.map(roundToFloat32);
      for (const detachWeights of [true, false]) {
        for (const extra of [{}, { debiased: true, tauPlus: 0.3 }, { normalize: false, tNeg: 0.7, tPos: 0.4 }]) {
          const o: CctOptions = { tPos: 1.2, tNeg: 1.7, beta: 0.8, alpha: 1.3, detachWeights, ...extra };
          checkGradients(
            (...xs) => {
              const r = cctTerms(xs as tf.Tensor2D[], o);
              return tf.add(tf.mul(r.attraction, 2.5), tf.mul(r.repulsion, -0.75)) as tf.Scalar;
            },
            (...xs) => {
              const r = ref(xs.map((x) => asMatrix(x, b, d)), o, detachWeights ? frozen : undefined);
              return 2.5 * r.attraction - 0.75 * r.repulsion;
            },
            m.map((x) => ({ values: x.data, shape: [b, d] })),
          );
        }
      }
    });

    it('detaching changes the gradient but not the value', () => {
      const t = [randomMatrix(5, 6, 4), randomMatrix(6, 6, 4)].map(toTensor2d);
      const grad = (detachWeights: boolean) =>
        tf.tidy(() => tf.grad((x: tf.Tensor) => cctLoss([x as tf.Tensor2D, t[1]!], { detachWeights }))(t[0]!).dataSync().slice());
      expect(value(cctLoss(t, { detachWeights: true }))).toBeCloseTo(value(cctLoss(t, { detachWeights: false })), 6);
      const [g1, g2] = [grad(true), grad(false)];
      expect(Math.max(...g1.map((x, i) => Math.abs(x - g2[i]!)))).toBeGreaterThan(1e-4);
      tf.dispose(t);
    });

    it('two views: attraction = Wang-Isola alignment mean ||n(z1_i) - n(z2_i)||^2 (one positive each, plan weight 1)', () => {
      const [a, b] = [randomMatrix(51, 9, 5), randomMatrix(52, 9, 5)];
      const unit = (r: readonly number[]) => {
        const n = Math.hypot(...r);
        return r.map((x) => x / n);
      };
      const rowOf = (m: Matrix, i: number) => unit(Array.from(m.data.slice(i * 5, i * 5 + 5)));
      let alignment = 0;
      for (let i = 0; i < 9; i++) alignment += rowOf(a, i).reduce((s, v, k) => s + (v - rowOf(b, i)[k]!) ** 2, 0) / 9;
      const t = [a, b].map(toTensor2d);
      for (const tPos of [0, 1, 5]) expectClose(terms(t, { tPos })[0], alignment, { atol: 1e-5, rtol: 1e-5 });
      tf.dispose(t);
    });

    it('closed forms: all equal gives 0 attraction and repulsion 0; orthonormal rows give repulsion -2 beta', () => {
      const same = tf.tidy(() => tf.tile(tf.tensor2d([[1, -2, 0.5]]), [4, 1])) as tf.Tensor2D;
      const [a, r] = terms([same, same, same]);
      expectClose([a, r], [0, 0], { atol: 1e-6 });
      // Orthonormal rows in every view: every negative distance is 2, so repulsion = -2 beta.
      const eye = tf.eye(4) as tf.Tensor2D;
      const [a2, r2] = terms([eye, eye], { beta: 1.5 });
      expectClose([a2, r2], [0, -3], { atol: 1e-6 });
      tf.dispose([same, eye]);
    });

    it('attraction is symmetric in the views; both are invariant to a shared batch permutation', () => {
      const t = [randomMatrix(31, 7, 5), randomMatrix(32, 7, 5), randomMatrix(33, 7, 5)].map(toTensor2d);
      const [a, r] = terms(t);
      const [a2] = terms([t[2]!, t[0]!, t[1]!]);
      expectClose(a2, a, { atol: 1e-6 });
      const p = tf.tensor1d([6, 0, 3, 1, 5, 2, 4], 'int32');
      const pt = t.map((x) => tf.gather(x, p)) as tf.Tensor2D[];
      expectClose(terms(pt), [a, r], { atol: 1e-5 });
      tf.dispose([...t, ...pt, p]);
    });

    it('stays finite with large inverse temperatures and inputs of norm 1e3', () => {
      const t = [randomMatrix(41, 16, 32, 180), randomMatrix(42, 16, 32, 180), randomMatrix(43, 16, 32, 180)].map(toTensor2d);
      for (const detachWeights of [true, false]) {
        const o = { tPos: 50, tNeg: 50, detachWeights, debiased: true };
        const [v, g] = tf.tidy(() => {
          const r = tf.valueAndGrad((x: tf.Tensor) => cctLoss([x as tf.Tensor2D, t[1]!, t[2]!], o))(t[0]!);
          return [r.value.dataSync()[0]!, r.grad.dataSync().slice()] as const;
        });
        expect(Number.isFinite(v)).toBe(true);
        expect(g.every(Number.isFinite)).toBe(true);
      }
      tf.dispose(t);
    });

    it('does not leak', () => {
      const t = [randomMatrix(51, 4, 3), randomMatrix(52, 4, 3), randomMatrix(53, 4, 3)].map(toTensor2d);
      expectNoLeak(() => cctLoss(t)).dispose();
      const r = expectNoLeak(() => cctTerms(t, { debiased: true }), 2);
      tf.dispose([r.attraction, r.repulsion, ...t]);
    });
  });
});

describe('cct losses reject bad input', () => {
  it('throws ContrastiveError with codes', () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const c = tf.zeros([3, 5]) as tf.Tensor2D;
    const one = tf.zeros([1, 4]) as tf.Tensor2D;
    const empty = tf.zeros([0, 4]) as tf.Tensor2D;
    const v = tf.zeros([4]) as unknown as tf.Tensor2D;
    for (const fn of [cctLoss, (x: tf.Tensor2D[], o?: CctOptions) => cctTerms(x, o)]) {
      expect(codeOf(() => fn([a]))).toEqual(['INVALID_ARGUMENT', 'views']);
      expect(codeOf(() => fn([a, v]))).toEqual(['RANK_MISMATCH', 'views[1]']);
      expect(codeOf(() => fn([a, c]))).toEqual(['SHAPE_MISMATCH', 'views[1]']);
      expect(codeOf(() => fn([empty, empty]))).toEqual(['SHAPE_MISMATCH', 'views[0]']);
      expect(codeOf(() => fn([one, one]))).toEqual(['SHAPE_MISMATCH', 'views[0]']);
      expect(codeOf(() => fn([a, a], { tNeg: -1 }))).toEqual(['OUT_OF_RANGE', 'tNeg']);
      expect(codeOf(() => fn([a, a], { tPos: NaN }))).toEqual(['OUT_OF_RANGE', 'tPos']);
      expect(codeOf(() => fn([a, a], { alpha: 0 }))).toEqual(['OUT_OF_RANGE', 'alpha']);
      expect(codeOf(() => fn([a, a], { beta: -1 }))).toEqual(['OUT_OF_RANGE', 'beta']);
      expect(codeOf(() => fn([a, a], { tauPlus: 1 }))).toEqual(['OUT_OF_RANGE', 'tauPlus']);
    }
    expect(Object.isFrozen(CCT_DEFAULTS)).toBe(true);
    tf.dispose([a, c, one, empty, v]);
  });
});
