/**
 * Gradient check: tf.grads of a tfjs function against central finite
 * differences of a float64 reference of the same function.
 */
import * as tf from '@tensorflow/tfjs-core';
import { closenessError, type Tolerance } from './close';

export interface GradientCheckInput {
  /** Values, row-major; rounded to float32 before both evaluations. */
  values: ArrayLike<number>;
  shape: number[];
}

export interface GradientCheckOptions extends Tolerance {
  /** Finite-difference step. Default 1e-5. */
  step?: number;
  /** Indices of the inputs to differentiate. Default: all. */
  wrt?: number[];
}

/**
 * Compares d fn / d inputs[i] (tfjs, float32) with central differences of
 * `reference` (float64) at the same point. Throws with the first mismatch.
 * Defaults: atol 1e-4, rtol 1e-3 (float32 against float64).
 */
export function checkGradients(
  fn: (...xs: tf.Tensor[]) => tf.Scalar,
  reference: (...xs: Float64Array[]) => number,
  inputs: GradientCheckInput[],
  options: GradientCheckOptions = {},
): void {
  const { step = 1e-5, atol = 1e-4, rtol = 1e-3 } = options;
  const wrt = options.wrt ?? inputs.map((_, i) => i);
  const points = inputs.map((x) => Float64Array.from(Float32Array.from(x.values)));

  const analytic = tf.tidy(() => {
    const tensors = inputs.map((x, i) => tf.tensor(Float32Array.from(points[i]!), x.shape));
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const all = tensors.map((t, i) => {
        const k = wrt.indexOf(i);
        return k >= 0 ? xs[k]! : t;
      });
      return fn(...all);
    });
    return grads(wrt.map((i) => tensors[i]!)).map((g) => g.dataSync().slice());
  });

  wrt.forEach((inputIndex, k) => {
    const x = points[inputIndex]!;
    const numeric = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const saved = x[j]!;
      x[j] = saved + step;
      const plus = reference(...points);
      x[j] = saved - step;
      const minus = reference(...points);
      x[j] = saved;
      numeric[j] = (plus - minus) / (2 * step);
    }
    const message = closenessError(analytic[k]!, numeric, { atol, rtol });
    if (message !== undefined) throw new Error(`gradient of input ${inputIndex}: ${message}`);
  });
}
