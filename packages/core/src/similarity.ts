import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

function swapLast(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[t.rank - 1] = t.rank - 2;
  perm[t.rank - 2] = t.rank - 1;
  return tf.transpose(t, perm);
}

// The wasm backend's matMul with transposeA/transposeB is many times slower
// than without, so every product below is a plain matMul on an explicitly
// transposed operand, and the custom gradients keep it that way.
const both = tf.customGrad((...inputs: unknown[]) => {
  const [a, b, save] = inputs as [Tensor, Tensor, (ts: Tensor[]) => void];
  save([a, b]);
  return {
    value: tf.matMul(a, swapLast(b)),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [sa, sb] = saved as [Tensor, Tensor];
      return [tf.matMul(dy, sb), tf.matMul(swapLast(dy), sa)];
    },
  };
});

const towardConstant = tf.customGrad((...inputs: unknown[]) => {
  const [a, b, save] = inputs as [Tensor, Tensor, (ts: Tensor[]) => void];
  save([b]);
  return {
    value: tf.matMul(a, swapLast(b)),
    gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.matMul(dy, saved[0]!), tf.zerosLike(saved[0]!)],
  };
});

/**
 * a . b^T over the last two axes: [..., n, d] x [..., m, d] -> [..., n, m],
 * with gradients for both operands (call inside a tidy).
 */
export function similarity(a: Tensor, b: Tensor): Tensor {
  return both(a, b);
}

/**
 * a . b^T where `b` is a constant (keys, queue entries: stop-gradient): the
 * gradient reaches `a` only and `b` gets zeros, so no [m, n] transpose is
 * spent on a gradient nobody uses (call inside a tidy).
 */
export function similarityToConstant(a: Tensor, b: Tensor): Tensor {
  return towardConstant(a, b);
}
