import * as tf from '@tensorflow/tfjs-core';
import type { Method, MethodContext } from '@contrastive/app-kit';
import { ntXentLoss } from '@contrastive/loss-infonce';
import type { SimclrConfig } from './config';

/**
 * SimCLR: both views go through the one encoder in a single batch (BatchNorm
 * statistics over all 2B views, as SimCLR's global BN), then NT-Xent.
 */
export function createSimclrMethod(context: MethodContext<SimclrConfig>): Method {
  const { temperature, reduction } = context.config.method;
  return {
    loss(views) {
      const [v1, v2] = views as [tf.Tensor4D, tf.Tensor4D];
      const batch = v1.shape[0];
      const { projections } = context.encoder.forward(tf.concat([v1, v2], 0));
      const z1 = tf.slice(projections, [0, 0], [batch, -1]);
      const z2 = tf.slice(projections, [batch, 0], [batch, -1]);
      return ntXentLoss(z1, z2, { temperature, reduction });
    },
    dispose() {},
  };
}
