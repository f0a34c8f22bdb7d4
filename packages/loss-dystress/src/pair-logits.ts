import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { stopGradient } from '@contrastive/core';
import { temperatureOf, type DystressTemperatureOptions } from './dystress-temperature';

/**
 * s / tau(sg(s)) element-wise, or s / tau(s) when `detach` is false
 * (internal; inside a tidy).
 */
export function scaledByTemperature(
  s: Tensor,
  o: Required<DystressTemperatureOptions>,
  detach: boolean,
): Tensor {
  const tau = temperatureOf(detach ? stopGradient(s) : s, o);
  return tf.div(s, tau);
}
