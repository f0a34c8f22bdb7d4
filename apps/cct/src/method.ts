import * as tf from '@tensorflow/tfjs-core';
import { createMomentumBranch, type Method, type MethodContext } from '@contrastive/app-kit';
import { cctLoss, cctQueueLoss } from '@contrastive/loss-cct';
import type { CctConfig } from './config';

/**
 * Small-scale CACR (spec §6(a), official small_scale_experiments): all V
 * views of the batch go through the one online encoder in a single batch;
 * attraction over each image's other views, repulsion against the other
 * images of every later view (cctLoss). No momentum encoder.
 */
function createSmallScale(context: MethodContext<CctConfig>): Method {
  const { tPos, tNeg, alpha, beta, debiased, tauPlus, detachWeights } = context.config.method;
  const options = { tPos, tNeg, alpha, beta, debiased, tauPlus, detachWeights };
  return {
    loss(views) {
      const batch = views[0]!.shape[0];
      const { projections } = context.encoder.forward(tf.concat(views, 0));
      const z = views.map((_, v) => tf.slice(projections, [v * batch, 0], [batch, -1]));
      return cctLoss(z, options);
    },
    dispose() {},
  };
}

/**
 * MoCo-v2-style CACR (spec §6(a) "ImageNet, MoCo v2 based"): each view's
 * queries from the online encoder (one forward per view, so BN statistics
 * are per crop as in the builder), keys of every view from the momentum
 * encoder (shuffle-BN emulated), candidates = queue + the view's other
 * queries (cctQueueLoss). After the optimiser step: EMA update of the key
 * encoder, then the last view's keys are enqueued (spec §6(a)).
 */
function createQueueForm(context: MethodContext<CctConfig>): Method {
  const m = context.config.method;
  const options = { tPos: m.tPos, tNeg: m.tNeg, alpha: m.alpha, beta: m.beta, detachWeights: m.detachWeights };
  const branch = createMomentumBranch(context, { momentum: m.momentum, shuffleKeys: m.shuffleBn, queueSize: m.queueSize });
  return {
    prepare(views) {
      // Keys of every view; the last view's keys are enqueued after the step.
      branch.prepare(views);
    },
    loss(views) {
      const queries = (views as tf.Tensor4D[]).map((v) => context.encoder.forward(v).projections);
      const keys = views.map((_, v) => branch.keys(v));
      return cctQueueLoss(queries, keys, branch.negatives(), options);
    },
    afterStep: () => branch.afterStep(),
    getState: () => branch.getState(),
    setState: (checkpoint) => branch.setState(checkpoint),
    dispose: () => branch.dispose(),
  };
}

/** CACR / CCT in the configured form. */
export function createCctMethod(context: MethodContext<CctConfig>): Method {
  return context.config.method.form === 'queue' ? createQueueForm(context) : createSmallScale(context);
}
