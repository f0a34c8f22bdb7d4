import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

// customGrad passes the inputs and a save function; only the first input is used.
const identityWithoutGradient = tf.customGrad((...inputs: unknown[]) => {
  const x = inputs[0] as Tensor;
  return { value: tf.clone(x), gradFunc: (dy: Tensor) => tf.zerosLike(dy) };
});

/**
 * sg(x): the value of `x` in the forward pass, a zero gradient in the backward
 * pass (tfjs-core has no such op; spec §0.2, way 1). Use it for momentum keys,
 * queue entries, prototypes, DySTreSS temperatures and CCT weights.
 *
 * Shapes: any; the output has the input's shape and dtype.
 */
export function stopGradient<T extends Tensor>(x: T): T {
  if (x.dtype !== 'float32') return tf.clone(x);
  return identityWithoutGradient(x) as T;
}
