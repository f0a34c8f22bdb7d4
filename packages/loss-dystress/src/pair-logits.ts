import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { temperatureOf, type DystressTemperatureOptions } from './dystress-temperature';

/**
 * s / tau(sg(s)) element-wise, or s / tau(s) when `detach` is false
 * (internal; inside a tidy).
 *
 * The detached form is one custom op: tau is computed inside its forward
 * pass, which tfjs does not record, so backprop costs one division
 * (dy / tau) instead of running zeros back through the cosine.
 */
export function scaledByTemperature(
  s: Tensor,
  o: Required<DystressTemperatureOptions>,
  detach: boolean,
): Tensor {
  if (!detach) return tf.div(s, temperatureOf(s, o));
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [x, save] = inputs as [Tensor, (ts: Tensor[]) => void];
    const tau = temperatureOf(x, o);
    save([tau]);
    return { value: tf.div(x, tau), gradFunc: (dy: Tensor, saved: Tensor[]) => tf.div(dy, saved[0]!) };
  });
  return op(s);
}
