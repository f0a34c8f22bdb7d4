import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { argumentError, assertDtype, assertPositive } from '@contrastive/core';

/** Options of {@link dystressTemperature}. */
export interface DystressTemperatureOptions {
  /**
   * Sharpest temperature, reached at s = 0 (main form) or s = shift - scale
   * (shifted form). Default 0.07: the CIFAR/TinyImageNet smallscale code default
   * (sadimanna/DySTreSS smallscale/main.py); the ImageNet loss uses 0.1 (spec §4(b)).
   * Must be > 0.
   */
  tauMin?: number;
  /**
   * Largest temperature, reached at s = ±1 (main form) and for s > shift
   * (shifted form). Default 0.2 (both code paths; spec §4(b)). Must be >= tauMin.
   */
  tauMax?: number;
  /**
   * Threshold s0 of the shifted/stretched variant (spec §4(a); `offset` in the
   * code, Δs in the paper). `null` (default) selects the main form
   * tau(s) = tauMin + 0.5 (tauMax - tauMin)(1 + cos(pi (1 + s))), the one the
   * official forward passes use. Code variants: -0.2 (smallscale `cosconst`),
   * 0.4 (ImageNet `get_temp2`), -0.4 (ts_dcl_loss.py).
   */
  shift?: number | null;
  /**
   * Half-period k of the shifted variant (paper's k, code `scale`); used only
   * when `shift` is a number. Default 1. Code variants: 0.8 (smallscale,
   * ts_dcl_loss.py), 0.7 (ImageNet `get_temp2`). Must be > 0.
   */
  scale?: number;
}

/** Defaults of {@link dystressTemperature} (spec §4(a), §4(b)). */
export const DYSTRESS_TEMPERATURE_DEFAULTS: Readonly<Required<DystressTemperatureOptions>> =
  Object.freeze({ tauMin: 0.07, tauMax: 0.2, shift: null, scale: 1 });

/** Validated, defaulted temperature options (internal). */
export function resolveTemperatureOptions(
  fn: string,
  options: DystressTemperatureOptions,
): Required<DystressTemperatureOptions> {
  const o = { ...DYSTRESS_TEMPERATURE_DEFAULTS, ...options };
  assertPositive(fn, 'tauMin', o.tauMin);
  assertPositive(fn, 'tauMax', o.tauMax);
  if (o.tauMax < o.tauMin) {
    throw argumentError('OUT_OF_RANGE', fn, 'tauMax', `>= tauMin (${o.tauMin})`, String(o.tauMax));
  }
  if (o.shift !== null && (typeof o.shift !== 'number' || !Number.isFinite(o.shift))) {
    throw argumentError('OUT_OF_RANGE', fn, 'shift', 'a finite number or null', String(o.shift));
  }
  assertPositive(fn, 'scale', o.scale);
  return o;
}

/** The temperature map without checks (internal; inside a tidy). */
export function temperatureOf(s: Tensor, o: Required<DystressTemperatureOptions>): Tensor {
  const half = 0.5 * (o.tauMax - o.tauMin);
  if (o.shift === null) {
    // tauMin + 0.5 (tauMax - tauMin)(1 + cos(pi (1 + s)))
    const wave = tf.cos(tf.mul(tf.add(s, 1), Math.PI));
    return tf.add(tf.mul(tf.add(wave, 1), half), o.tauMin);
  }
  const wave = tf.cos(tf.mul(tf.sub(s, o.shift), Math.PI / o.scale));
  const rising = tf.add(tf.mul(tf.add(wave, 1), half), o.tauMin);
  // step(s - s0) is 1 where s > s0 (there tau = tauMax) and has a zero gradient.
  const above = tf.step(tf.sub(s, o.shift));
  return tf.add(rising, tf.mul(above, tf.sub(o.tauMax, rising)));
}

/**
 * DySTreSS similarity-dependent temperature (Manna et al., arXiv 2308.01140;
 * spec §4(a)).
 *
 * Main form: tau(s) = tauMin + 0.5 (tauMax - tauMin)(1 + cos(pi (1 + s)))
 * = tauMin + (tauMax - tauMin) sin^2(pi s / 2); tau(±1) = tauMax, tau(0) = tauMin.
 * Shifted form (`shift` = s0 set, `scale` = k): the same cosine in (s - s0)/k
 * for s <= s0 and tauMax for s > s0.
 *
 * Input: `similarity`, float32 of any shape (cosine similarities).
 * Output: float32 of the same shape. Differentiable; the losses apply it to
 * stop-gradient similarities.
 */
export function dystressTemperature(
  similarity: Tensor,
  options: DystressTemperatureOptions = {},
): Tensor {
  const fn = 'dystressTemperature';
  assertDtype(fn, 'similarity', similarity, 'float32');
  const o = resolveTemperatureOptions(fn, options);
  return tf.tidy(() => temperatureOf(similarity, o));
}
