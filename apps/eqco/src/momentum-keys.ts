import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';
import type { MomentumEncoder } from '@contrastive/momentum';

/**
 * Keys (projections) of `images` `[B, H, W, C]` from the momentum encoder in
 * train mode (its BN uses batch statistics, as MoCo's). With `shuffle`, the
 * batch is permuted before the key encoder and the keys are put back in
 * order afterwards: with BN split into groups this is the single-device
 * shuffle-BN of the MoCo CIFAR demo (spec §0.4), so a query and its key are
 * normalised with statistics of different images. Returns `[B, dim]`, no
 * gradient path to the online encoder.
 */
export function momentumKeys(key: MomentumEncoder, images: tf.Tensor4D, rng: Rng, shuffle: boolean): tf.Tensor2D {
  const b = images.shape[0];
  const order = shuffle ? rng.permutation(b) : undefined;
  return tf.tidy(() => {
    if (order === undefined) return (key.model.apply(images, { training: true }) as tf.Tensor[])[1] as tf.Tensor2D;
    const inverse = new Int32Array(b);
    order.forEach((from, to) => {
      inverse[from] = to;
    });
    const shuffled = tf.gather(images, tf.tensor1d(order, 'int32'));
    const keys = (key.model.apply(shuffled, { training: true }) as tf.Tensor[])[1] as tf.Tensor2D;
    return tf.gather(keys, tf.tensor1d(inverse, 'int32'));
  });
}
