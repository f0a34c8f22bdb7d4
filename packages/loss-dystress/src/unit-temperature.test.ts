import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackends, expectClose, expectNoLeak } from '@contrastive/test-utils';
import { dystressTemperatureReference } from '@contrastive/test-utils/reference/dystress';
import { temperatureOf } from './dystress-temperature';
import { unitTemperature, WAVE_COEFFICIENTS } from './unit-temperature';

// Every 2^-17 on [-1, 1] plus a sliver above 1 (normalised rows round to |s| slightly > 1).
const GRID = Float32Array.from({ length: 2 ** 18 + 1 + 1000 }, (_, i) =>
  i <= 2 ** 18 ? -1 + i * 2 ** -17 : 1 + (i - 2 ** 18) * 1e-7,
);

/** Max |got - want| (or relative) of float32 tensor values against float64 values. */
function maxError(got: tf.Tensor, want: (s: number) => number, relative = false): number {
  const values = got.dataSync();
  got.dispose();
  let worst = 0;
  values.forEach((v, i) => {
    const w = want(GRID[i]!);
    worst = Math.max(worst, Math.abs(v - w) / (relative ? Math.abs(w) : 1));
  });
  return worst;
}

const WAVE = { tauMin: 0, tauMax: 1, shift: null, scale: 1 };

describeBackends(['cpu', 'wasm'], () => {
  describe('unitTemperature (the polynomial main-form temperature)', () => {
    it('has the wave (1 + cos(pi (1 + s))) / 2 within 2.5e-7 on a dense grid, no worse than float32 tf.cos', () => {
      const s = tf.tensor1d(GRID);
      const wave = (v: number) => (1 + Math.cos(Math.PI * (1 + v))) / 2;
      const polynomial = maxError(unitTemperature(s, WAVE), wave);
      const viaCos = maxError(temperatureOf(s, WAVE), wave);
      expect(polynomial).toBeLessThan(2.5e-7);
      expect(polynomial).toBeLessThanOrEqual(viaCos);
      s.dispose();
    });

    it('has every tau to within the relative error of the tf.cos route, for narrow and wide ranges', () => {
      const s = tf.tensor1d(GRID);
      for (const [tauMin, tauMax] of [[0.07, 0.2], [0.1, 0.2], [0.02, 0.2], [0.05, 0.5], [0.5, 10], [0.2, 0.2]] as const) {
        const o = { tauMin, tauMax, shift: null, scale: 1 };
        const want = (v: number) => dystressTemperatureReference(v, o);
        const polynomial = maxError(unitTemperature(s, o), want, true);
        const viaCos = maxError(temperatureOf(s, o), want, true);
        expect(polynomial).toBeLessThan(3e-7);
        expect(polynomial).toBeLessThanOrEqual(Math.max(viaCos, 1.2e-7));
      }
      s.dispose();
    });

    it('keeps the shape, does not leak, and its coefficients are near the Taylor series', () => {
      const s = tf.tensor2d([[-1, 0], [0.5, 1]]);
      const tau = expectNoLeak(() => tf.tidy(() => unitTemperature(s, { tauMin: 0.1, tauMax: 0.2, shift: null, scale: 1 })));
      expect(tau.shape).toEqual([2, 2]);
      expectClose(tau, [[0.2, 0.1], [0.15, 0.2]], { atol: 1e-7 });
      const taylor = [1, 2, 3, 4, 5, 6].map((k) => {
        let f = 1;
        for (let j = 2; j <= 2 * k; j++) f *= j;
        return ((-1) ** (k + 1) * 2 ** (2 * k - 1) * (Math.PI / 2) ** (2 * k)) / f;
      });
      WAVE_COEFFICIENTS.forEach((c, k) => expect(Math.abs(c - taylor[k]!)).toBeLessThan(0.01 * Math.abs(taylor[k]!) + 2e-4));
      tf.dispose([s, tau]);
    });
  });
});
