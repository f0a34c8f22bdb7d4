import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  codeOf,
  describeBackends,
  dot,
  expectClose,
  expectNoLeak,
  logSumExp,
  normalizeRows,
  randomMatrix,
  roundToFloat32,
  toTensor2d,
  type Matrix,
} from '@contrastive/test-utils';
import { viewPairContrast, type ViewPairContrastOptions } from './index';
import { excludedEntries, includedIndices, positiveIndices } from './view-pairs';

interface Form {
  decoupled: boolean;
  separateViews: boolean;
}

/**
 * Float64 reference: mean over the 2B anchors of the log-sum-exps of
 * s_ik / tau(f_i . f_k) over the included k (one group, or the two views
 * apart) minus the positive's logit; f are the frozen rows (the temperature
 * is a constant under differentiation), u by default.
 */
function reference(u: Float64Array, d: number, tau: (s: number) => number, form: Form, frozen?: Float64Array): number {
  const n = u.length / d;
  const b = n / 2;
  const rowOf = (m: Float64Array, i: number) => m.subarray(i * d, (i + 1) * d);
  const f = frozen ?? u;
  const logit = (i: number, k: number) => dot(rowOf(u, i), rowOf(u, k)) / tau(dot(rowOf(f, i), rowOf(f, k)));
  const groups = form.separateViews ? [[0, b], [b, n]] : [[0, n]];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const positive = (i + b) % n;
    for (const [from, to] of groups) {
      const values: number[] = [];
      for (let k = from!; k < to!; k++) {
        if (k === i || (form.decoupled && k === positive)) continue;
        values.push(logit(i, k));
      }
      total += logSumExp(values);
    }
    total -= logit(i, positive);
  }
  return total / n;
}

const FORMS: [string, Form][] = [
  ['NT-Xent', { decoupled: false, separateViews: false }],
  ['DCL', { decoupled: true, separateViews: false }],
  ['TSDCL (views apart)', { decoupled: true, separateViews: true }],
];

// A per-pair temperature, even in s like DySTreSS's, in tf and in float64.
const tauOf = (s: number) => 0.2 + 0.3 * s * s;
const tauTf = (s: tf.Tensor) => tf.add(tf.mul(tf.square(s), 0.3), 0.2);
const MAX_INVERSE = 5;

function unitRows(seed: number, rows: number, cols: number): Matrix {
  return roundToFloat32(normalizeRows(randomMatrix(seed, rows, cols)));
}

function run(u: tf.Tensor2D, options: ViewPairContrastOptions): number {
  const v = expectNoLeak(() => viewPairContrast(u, options));
  expect(v.shape).toEqual([]);
  const out = v.dataSync()[0]!;
  v.dispose();
  return out;
}

describeBackends(['cpu', 'wasm'], () => {
  describe('viewPairContrast', () => {
    for (const [name, form] of FORMS) {
      it(`${name}: every temperature form, with and without a similarity bound, matches the float64 reference`, () => {
        for (const [batch, d, seed] of [[2, 3, 1], [3, 5, 2], [8, 4, 3]] as const) {
          const m = unitRows(seed, 2 * batch, d);
          const u = toTensor2d(m);
          const perPair = reference(m.data, d, tauOf, form);
          const constant = reference(m.data, d, () => 0.25, form);
          for (const similarityBound of [undefined, 1.001]) {
            const bound = similarityBound === undefined ? {} : { similarityBound };
            const base = { maxInverseTemperature: MAX_INVERSE, ...form, ...bound };
            expectClose(run(u, { ...base, inverseTemperature: 4 }), constant, { atol: 2e-6, rtol: 2e-6 });
            expectClose(run(u, { ...base, temperature: tauTf }), perPair, { atol: 2e-6, rtol: 2e-6 });
            expectClose(run(u, { ...base, inverseTemperature: (s) => tf.reciprocal(tauTf(s)) }), perPair, { atol: 2e-6, rtol: 2e-6 });
          }
          u.dispose();
        }
      });

      it(`${name}: reads the log-sum-exp off one entry precisely near the range limit`, () => {
        // 2 * 1.001 * 35 + log(16) = 72.8 <= 80: the read-off path, entries down to ~e^-70.
        const m = unitRows(11, 16, 3);
        const u = toTensor2d(m);
        const want = reference(m.data, 3, () => 1 / 35, form);
        const options = { inverseTemperature: 35, maxInverseTemperature: 35, ...form };
        const readOff = run(u, { ...options, similarityBound: 1.001 });
        const rowMaximum = run(u, options);
        expectClose(readOff, want, { atol: 0, rtol: 2e-6 });
        expectClose(rowMaximum, want, { atol: 0, rtol: 2e-6 });
        u.dispose();
      });

      it(`${name}: has the gradient of the reference with the temperature held constant`, () => {
        const [batch, d] = [3, 4];
        const m = randomMatrix(21, 2 * batch, d, 0.6);
        const frozen = roundToFloat32(m).data;
        for (const similarityBound of [undefined, 6]) {
          const bound = similarityBound === undefined ? {} : { similarityBound };
          checkGradients(
            (x) => viewPairContrast(x as tf.Tensor2D, { temperature: tauTf, maxInverseTemperature: MAX_INVERSE, ...form, ...bound }),
            (x) => reference(x, d, tauOf, form, frozen),
            [{ values: m.data, shape: [2 * batch, d] }],
            { atol: 2e-4, rtol: 2e-3 },
          );
          checkGradients(
            (x) => viewPairContrast(x as tf.Tensor2D, { inverseTemperature: 2, maxInverseTemperature: 2, ...form, ...bound }),
            (x) => reference(x, d, () => 0.5, form),
            [{ values: m.data, shape: [2 * batch, d] }],
            { atol: 2e-4, rtol: 2e-3 },
          );
        }
      });
    }

    it('stays finite with a wide logit range (the row-maximum path)', () => {
      const u = toTensor2d(unitRows(31, 32, 8));
      for (const [, form] of FORMS) {
        const [v, g] = tf.tidy(() => {
          const f = (x: tf.Tensor) =>
            viewPairContrast(x as tf.Tensor2D, { inverseTemperature: 100, maxInverseTemperature: 100, similarityBound: 1.001, ...form });
          const { value, grad } = tf.valueAndGrad(f)(u);
          return [value.dataSync()[0]!, grad.dataSync().slice()] as const;
        });
        expect(Number.isFinite(v)).toBe(true);
        expect(g.every(Number.isFinite)).toBe(true);
      }
      u.dispose();
    });
  });
});

describe('viewPairContrast options and index tables', () => {
  it('needs exactly one of inverseTemperature and temperature', () => {
    const u = tf.zeros([4, 2]) as tf.Tensor2D;
    const base = { maxInverseTemperature: 1, decoupled: false };
    expect(codeOf(() => viewPairContrast(u, base))).toEqual(['INVALID_ARGUMENT', 'options']);
    expect(codeOf(() => viewPairContrast(u, { ...base, inverseTemperature: 1, temperature: (s) => s }))).toEqual([
      'INVALID_ARGUMENT',
      'options',
    ]);
    u.dispose();
  });

  it('lists the excluded, positive and included entries of the [2B, 2B] matrix', () => {
    expect(Array.from(excludedEntries(2, false))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(Array.from(excludedEntries(2, true))).toEqual([0, 0, 0, 2, 1, 1, 1, 3, 2, 2, 2, 0, 3, 3, 3, 1]);
    expect(Array.from(positiveIndices(2))).toEqual([2, 7, 8, 13]);
    expect(Array.from(includedIndices(2, false, false))).toEqual([2, 7, 8, 13]);
    expect(Array.from(includedIndices(2, true, false))).toEqual([1, 6, 11, 12]);
    // Half-rows of anchor i: columns i + 1 mod B in [0, B) and B + (i + 1 mod B).
    expect(Array.from(includedIndices(2, true, true))).toEqual([1, 3, 4, 6, 9, 11, 12, 14]);
  });
});
