import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  codeOf,
  describeBackends,
  expectClose,
  expectNoLeak,
} from '@contrastive/test-utils';
import { dystressTemperatureReference } from '@contrastive/test-utils/reference/dystress';
import { DYSTRESS_TEMPERATURE_DEFAULTS, dystressTemperature } from './index';

describeBackends(['cpu', 'wasm'], () => {
  describe('dystressTemperature', () => {
    it('matches the spec §8 checks of the main form', () => {
      const s = tf.tensor1d([-1, -0.5, 0, 0.5, 1]);
      const tau = expectNoLeak(() => dystressTemperature(s, { tauMin: 0.1, tauMax: 0.2 }));
      expect(tau.shape).toEqual([5]);
      expect(tau.dtype).toBe('float32');
      expectClose(tau, [0.2, 0.15, 0.1, 0.15, 0.2], { atol: 1e-6 });
      tf.dispose([s, tau]);
    });

    it('matches the spec §8 checks of the shifted form (s0 = 0.4, k = 0.7)', () => {
      const s = tf.tensor1d([-1, -0.3, 0.05, 0.4, 0.9]);
      const tau = dystressTemperature(s, { tauMin: 0.1, tauMax: 0.2, shift: 0.4, scale: 0.7 });
      expectClose(tau, [0.2, 0.1, 0.15, 0.2, 0.2], { atol: 1e-6 });
      tf.dispose([s, tau]);
    });

    it('matches the float64 reference over [-1, 1] for both forms', () => {
      const values = Array.from({ length: 41 }, (_, i) => -1 + i * 0.05);
      const s = tf.tensor2d(values, [41, 1]);
      for (const o of [
        { tauMin: 0.07, tauMax: 0.2, shift: null, scale: 1 },
        { tauMin: 0.07, tauMax: 0.2, shift: -0.2, scale: 0.8 },
        { tauMin: 0.1, tauMax: 0.5, shift: -0.4, scale: 0.8 },
      ]) {
        const tau = dystressTemperature(s, o);
        expect(tau.shape).toEqual([41, 1]);
        expectClose(tau, [values.map((v) => [dystressTemperatureReference(v, o)])].flat(), { atol: 1e-6 });
        tau.dispose();
      }
      s.dispose();
    });

    it('equals the main form with shift 1, scale 1 on [-1, 1], and sin^2 identity', () => {
      const values = Array.from({ length: 21 }, (_, i) => -1 + i * 0.1);
      const s = tf.tensor1d(values);
      const main = dystressTemperature(s);
      const shifted = dystressTemperature(s, { shift: 1, scale: 1 });
      expectClose(shifted, main, { atol: 1e-6 });
      const { tauMin, tauMax } = DYSTRESS_TEMPERATURE_DEFAULTS;
      expectClose(main, values.map((v) => tauMin + (tauMax - tauMin) * Math.sin((Math.PI * v) / 2) ** 2), { atol: 1e-6 });
      tf.dispose([s, main, shifted]);
    });

    it('has the gradient of the reference', () => {
      const values = [-0.9, -0.4, 0.1, 0.35, 0.8];
      for (const o of [{ tauMin: 0.1, tauMax: 0.2 }, { tauMin: 0.05, tauMax: 0.5, shift: 0.4, scale: 0.7 }]) {
        checkGradients(
          (s) => tf.sum(tf.mul(dystressTemperature(s, o), tf.range(1, 6))),
          (s) => s.reduce((acc, v, i) => acc + (i + 1) * dystressTemperatureReference(v, o), 0),
          [{ values, shape: [5] }],
        );
      }
    });
  });
});

describe('dystressTemperature input checks', () => {
  it('rejects bad options and dtypes with codes', () => {
    const s = tf.tensor1d([0.5]);
    expect(codeOf(() => dystressTemperature(s, { tauMin: 0 }))).toEqual(['OUT_OF_RANGE', 'tauMin']);
    expect(codeOf(() => dystressTemperature(s, { tauMax: -1 }))).toEqual(['OUT_OF_RANGE', 'tauMax']);
    expect(codeOf(() => dystressTemperature(s, { tauMin: 0.3, tauMax: 0.2 }))).toEqual(['OUT_OF_RANGE', 'tauMax']);
    expect(codeOf(() => dystressTemperature(s, { shift: 0, scale: 0 }))).toEqual(['OUT_OF_RANGE', 'scale']);
    expect(codeOf(() => dystressTemperature(s, { shift: NaN }))).toEqual(['OUT_OF_RANGE', 'shift']);
    const i = tf.tensor1d([1], 'int32');
    expect(codeOf(() => dystressTemperature(i))).toEqual(['DTYPE_MISMATCH', 'similarity']);
    expect(Object.isFrozen(DYSTRESS_TEMPERATURE_DEFAULTS)).toBe(true);
    tf.dispose([s, i]);
  });
});
