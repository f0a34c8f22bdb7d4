/**
 * Test helper: how many tensors the backward pass of `op` leaves alive until
 * the end of the whole backward pass. tfjs's engine keeps every tensor a
 * gradient function creates outside a tidy (and every intermediate gradient)
 * until `tf.grad` returns, so a gradient that does not tidy its temporaries
 * multiplies the memory of a training step.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `tf.grad(x => sum(probe(op(probe(x)))))` and returns the growth of the
 * engine's tensor count between the two probes' gradient calls, i.e. the
 * tensors created by `op`'s backward pass that are still alive when the
 * gradient reaches `op`'s input (its input gradients and the one probe
 * gradient included).
 */
export function backwardTensorGrowth(op: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): number {
  const counts: number[] = [];
  const probe = tf.customGrad((...args: unknown[]) => {
    const [t] = args as [tf.Tensor];
    return {
      value: tf.clone(t),
      gradFunc: (dy: tf.Tensor) => {
        counts.push(tf.memory().numTensors);
        return tf.clone(dy);
      },
    };
  }) as unknown as (t: tf.Tensor) => tf.Tensor;
  const g = tf.grad((v: tf.Tensor) => tf.sum(probe(op(probe(v)))))(x);
  g.dispose();
  return (counts[1] as number) - (counts[0] as number);
}
