import type { Tensor } from '@tensorflow/tfjs-core';
import type { ViewPairContrastOptions } from '@contrastive/core';
import { temperatureOf, type DystressTemperatureOptions } from './dystress-temperature';
import { unitTemperature } from './unit-temperature';

/**
 * |u_i . u_j| for L2-normalised rows is at most 1 up to float32 rounding
 * (a few 1e-7); the bound handed to core's fused op leaves ample room.
 */
export const UNIT_SIMILARITY_BOUND = 1.001;

/**
 * Options of core's fused view-pair op for DySTreSS with detached
 * temperatures (internal): tau(sg(s)) evaluated inside the op's forward
 * pass; on L2-normalised rows the main form uses the polynomial
 * {@link unitTemperature} and the similarities are bounded by
 * {@link UNIT_SIMILARITY_BOUND}. `decoupled` selects TSDCL (the positive
 * out of the denominator, intra- and cross-view log-sum-exps apart).
 */
export function fusedOptions(
  t: Required<DystressTemperatureOptions>,
  normalize: boolean,
  decoupled: boolean,
): ViewPairContrastOptions {
  const temperature =
    normalize && t.shift === null ? (s: Tensor) => unitTemperature(s, t) : (s: Tensor) => temperatureOf(s, t);
  return {
    temperature,
    maxInverseTemperature: 1 / t.tauMin,
    decoupled,
    separateViews: decoupled,
    ...(normalize ? { similarityBound: UNIT_SIMILARITY_BOUND } : {}),
  };
}
