import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { DystressTemperatureOptions } from './dystress-temperature';

/**
 * c_1..c_6 of w(t) = sin^2(pi sqrt(t) / 2) ~ sum_k c_k t^k on t in [0, 1]:
 * with t = s^2, w = sin^2(pi s / 2) = (1 + cos(pi (1 + s))) / 2, the wave
 * of the main DySTreSS temperature (spec §4(a)). A minimax fit (iteratively
 * reweighted least squares on 20001 points, float64) of the absolute error,
 * which is 6e-9 in float64; evaluated by Horner in float32 the error is
 * about 2e-7 (tested on a dense grid), below that of the float32 route
 * through tf.cos(pi (1 + s)) (about 3e-7, mostly from rounding 1 + s and
 * pi (1 + s)). The Taylor coefficients for comparison: pi^2/4 = 2.4674011,
 * -pi^4/48 = -2.0293542, pi^6/1440 = 0.6676227, ...
 */
export const WAVE_COEFFICIENTS: readonly number[] = Object.freeze([
  2.4674007301247673, -2.0293488208436474, 0.6675841433434412, -0.11752326840533223, 0.012686274175238044,
  -0.0007990643345358039,
]);

/**
 * The main-form temperature tau(s) = tauMin + (tauMax - tauMin) w(s^2) by a
 * degree-6 polynomial in s^2 (internal; inside a tidy), valid for |s| <= 1
 * up to rounding, i.e. for cosine similarities of L2-normalised rows: 13
 * SIMD element-wise kernels where wasm's Cos is one scalar loop about ten
 * times slower over the same tensor. Not differentiated (the losses call it
 * on detached similarities only).
 */
export function unitTemperature(s: Tensor, o: Required<DystressTemperatureOptions>): Tensor {
  const range = o.tauMax - o.tauMin;
  const t = tf.square(s);
  const last = WAVE_COEFFICIENTS.length - 1;
  let p = tf.mul(t, range * WAVE_COEFFICIENTS[last]!);
  for (let k = last - 1; k >= 0; k--) p = tf.mul(tf.add(p, range * WAVE_COEFFICIENTS[k]!), t);
  return tf.add(p, o.tauMin);
}
