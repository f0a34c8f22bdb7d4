/**
 * Gradients of `Sum` and `Mean` that broadcast `dy` on the device.
 *
 * tfjs-core's versions multiply the reshaped `dy` by `ones(x.shape)`, an
 * array of the input's full size that JavaScript fills and then uploads to
 * the backend on every backward pass (for a `[256, 128]` sum, most of the
 * 120 us a `tf.grad` of `sum(x * x)` costs on wasm; for a batch-norm mean
 * over a `[128, 32, 32, 64]` activation, 32 MB). Here the reshaped `dy`
 * (divided by the reduced count, for `Mean`) is tiled to `x.shape` with
 * `broadcastTo`, which runs on the backend (on wasm: this package's `Tile`).
 * The values are the same bit for bit: every element of tfjs-core's result
 * is `dy * 1` (divided by the count), every element here is `dy` (divided by
 * the count).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Mean, Sum, registerGradient, util } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/** `dy` reshaped to `x`'s rank with the reduced axes of size 1, plus the reduced count. */
function expand(dy: Tensor, x: Tensor, attrs: NamedAttrMap): { expanded: Tensor; count: number } {
  const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const shape = x.shape.slice();
  let count = 1;
  for (const a of axes) {
    count *= shape[a]!;
    shape[a] = 1;
  }
  return { expanded: tf.reshape(dy, shape), count };
}

export const sumGradient: GradConfig = {
  kernelName: Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0]!;
    return { x: () => tf.broadcastTo(expand(dy as Tensor, x, attrs).expanded, x.shape) };
  },
};

export const meanGradient: GradConfig = {
  kernelName: Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0]!;
    return {
      x: () => {
        const { expanded, count } = expand(dy as Tensor, x, attrs);
        return tf.broadcastTo(tf.div(expanded, count), x.shape);
      },
    };
  },
};

/**
 * Registers {@link sumGradient} and {@link meanGradient} over tfjs-core's
 * (`setBackend` calls it after the core gradients are loaded; a package that
 * registers the core gradients again afterwards restores the slower ones).
 */
export function registerReduceGradients(): void {
  registerGradient(sumGradient);
  registerGradient(meanGradient);
}
