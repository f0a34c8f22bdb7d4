import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * [z1; z2] ([B, d], [B, d] -> [2B, d]) whose gradient is two row slices of
 * dy (internal; inside a tidy). tf.concat's own gradient is a SplitV, which
 * on the wasm backend costs ~0.2-0.3 ms at [512, 128] against ~15 us a slice.
 */
export function stackViews(z1: Tensor2D, z2: Tensor2D): Tensor2D {
  const b = z1.shape[0];
  const op = tf.customGrad((...inputs: unknown[]) => {
    const [a, c] = inputs as [Tensor2D, Tensor2D];
    return {
      value: tf.concat([a, c], 0),
      gradFunc: (dy: Tensor) => [tf.slice(dy, [0, 0], [b, -1]), tf.slice(dy, [b, 0], [b, -1])],
    };
  });
  return op(z1, z2) as Tensor2D;
}
