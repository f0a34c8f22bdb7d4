import * as tf from '@tensorflow/tfjs-core';
import type { Method, MethodContext } from '@contrastive/app-kit';
import { dystressDclLoss, dystressLoss } from '@contrastive/loss-dystress';
import type { DystressConfig } from './config';

/**
 * DySTreSS: SimCLR's two-view setup (both views through the one encoder, in
 * a single batch with BatchNorm over all 2B views or one pass per view,
 * `method.encodeViews`) with NT-Xent whose temperature
 * depends on each pair's detached cosine similarity (spec §4(a)); the 'dcl'
 * option removes the positive from the denominator (TSDCL).
 */
export function createDystressMethod(context: MethodContext<DystressConfig>): Method {
  const { loss, tauMin, tauMax, shift, scale, detachTemperature, encodeViews } = context.config.method;
  const lossFn = loss === 'dcl' ? dystressDclLoss : dystressLoss;
  const options = { tauMin, tauMax, shift, scale, detachTemperature };
  return {
    loss(views) {
      const [v1, v2] = views as [tf.Tensor4D, tf.Tensor4D];
      if (encodeViews === 'separately') {
        // One forward per view: BatchNorm statistics of each view alone (DySTreSS smallscale code).
        return lossFn(context.encoder.forward(v1).projections, context.encoder.forward(v2).projections, options);
      }
      const batch = v1.shape[0];
      const { projections } = context.encoder.forward(tf.concat([v1, v2], 0));
      const z1 = tf.slice(projections, [0, 0], [batch, -1]);
      const z2 = tf.slice(projections, [batch, 0], [batch, -1]);
      return lossFn(z1, z2, options);
    },
    dispose() {},
  };
}
