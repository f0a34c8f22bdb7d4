/**
 * max(a + b, 0) as one layer with a hand-written gradient: the residual
 * junction of ResNet blocks. The backward pass needs only the output (which
 * the next conv keeps anyway), so training does not hold the pre-activation
 * sum as a separate tensor. Registered with `tf.serialization`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { argumentError, describeShape } from '@contrastive/core';

const addRelu = tf.customGrad((...args: unknown[]) => {
  const [a, b, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
  const out = tf.relu(tf.add(a, b));
  save([out]);
  return {
    value: out,
    // Tidied: the engine keeps every tensor a gradFunc creates outside a tidy until
    // the whole backward pass ends.
    gradFunc: (dy: Tensor, saved: Tensor[]) =>
      tf.tidy(() => {
        const g = tf.mul(dy, tf.step(saved[0]!));
        return [g, tf.clone(g)];
      }),
  };
}) as unknown as (a: Tensor, b: Tensor) => Tensor;

/** Layer computing relu(inputs[0] + inputs[1]); both inputs of the same shape. */
export class AddReLU extends layers.Layer {
  static className = 'AddReLU';

  constructor(args: { name?: string; trainable?: boolean } = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: (number | null)[] | (number | null)[][]): (number | null)[] | (number | null)[][] {
    return Array.isArray(inputShape[0]) ? (inputShape[0] as (number | null)[]) : inputShape;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw argumentError('INVALID_ARGUMENT', 'AddReLU', 'inputs', 'two tensors', Array.isArray(inputs) ? `${inputs.length} tensors` : 'one tensor');
      }
      const [a, b] = inputs as [Tensor, Tensor];
      if (!tf.util.arraysEqual(a.shape, b.shape)) {
        throw argumentError('SHAPE_MISMATCH', 'AddReLU', 'inputs[1]', `of shape ${describeShape(a.shape)}`, describeShape(b.shape));
      }
      return addRelu(a, b);
    });
  }
}

tf.serialization.registerClass(AddReLU);
