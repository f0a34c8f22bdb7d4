import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * Rows `ids` of a constant matrix, with a zero gradient for it (prototypes
 * are k-means constants, spec §3(b)): gatherND, which on wasm is many times
 * faster than gather (gather of 256 rows of a [10000, 128] matrix: ~5 ms).
 *
 * Shapes: x [k, d], ids Int32Array [n] -> [n, d]. Call inside a tidy.
 */
export function constantRows(x: Tensor2D, ids: Int32Array): Tensor2D {
  const op = tf.customGrad((...inputs: unknown[]) => {
    const source = inputs[0] as Tensor2D;
    return {
      value: tf.gatherND(source, tf.tensor2d(ids, [ids.length, 1], 'int32')) as Tensor2D,
      gradFunc: () => tf.zerosLike(source),
    };
  });
  return op(x) as Tensor2D;
}

/**
 * A zero [1] tensor that ties the prototypes and concentrations to a custom
 * op reading them as constants: their gradient is zeros (spec §3(b)), and it
 * runs only when they are differentiated themselves.
 */
export const constantAnchor: (prototypes: Tensor2D, concentration: Tensor1D) => Tensor = tf.customGrad((...inputs: unknown[]) => {
  const [prototypes, concentration] = inputs as [Tensor2D, Tensor1D];
  return {
    value: tf.zeros([1]),
    gradFunc: () => [tf.zerosLike(prototypes), tf.zerosLike(concentration)],
  };
}) as (prototypes: Tensor2D, concentration: Tensor1D) => Tensor;
