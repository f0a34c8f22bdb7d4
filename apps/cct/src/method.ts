import * as tf from '@tensorflow/tfjs-core';
import { createMomentumBranch, type Method, type MethodContext } from '@contrastive/app-kit';
import { ContrastiveError } from '@contrastive/core';
import { cctLoss, cctQueueLoss } from '@contrastive/loss-cct';
import { CCT_QUEUE_DEFAULTS, CCT_SMALL_SCALE_DEFAULTS, type CctConfig } from './config';

/**
 * Small-scale CACR (spec §6(a), official small_scale_experiments): all V
 * views of the batch go through the one online encoder in a single batch;
 * attraction over each image's other views, repulsion against the other
 * images of every later view (cctLoss). No momentum encoder.
 */
function createSmallScale(context: MethodContext<CctConfig>): Method {
  const { tPos, tNeg, alpha, beta, detachWeights } = context.config.method;
  const { debiased, tauPlus, encodeViews } = { ...CCT_SMALL_SCALE_DEFAULTS, ...definedOnly(context.config.method) };
  const options = { tPos, tNeg, alpha, beta, debiased, tauPlus, detachWeights };
  return {
    loss(views) {
      if (encodeViews === 'separately') {
        // One pass per view: BN statistics of each view alone, as the official small-scale loop.
        return cctLoss(views.map((v) => context.encoder.forward(v).projections), options);
      }
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
  const m = { ...CCT_QUEUE_DEFAULTS, ...definedOnly(context.config.method) };
  const options = { tPos: m.tPos, tNeg: m.tNeg, alpha: m.alpha, beta: m.beta, detachWeights: m.detachWeights };
  const groups = m.candidateGroups;
  const batchSize = context.config.train.batchSize;
  if (batchSize % groups !== 0) {
    throw new ContrastiveError(
      'INVALID_ARGUMENT',
      `createCctMethod: 'method.candidateGroups' must divide train.batchSize (${batchSize}); got ${groups}`,
      { fn: 'createCctMethod', argument: 'method.candidateGroups' },
    );
  }
  const branch = createMomentumBranch(context, { momentum: m.momentum, shuffleKeys: m.shuffleBn, queueSize: m.queueSize });
  return {
    prepare(views) {
      // Keys of every view; the last view's keys are enqueued after the step.
      branch.prepare(views);
    },
    loss(views) {
      const queries = (views as tf.Tensor4D[]).map((v) => context.encoder.forward(v).projections);
      const keys = views.map((_, v) => branch.keys(v));
      const queue = branch.negatives();
      if (groups === 1) return cctQueueLoss(queries, keys, queue, options);
      // Per-GPU candidates: each group's loss over its own queries, averaged (DDP's mean over GPUs).
      const size = queries[0]!.shape[0] / groups;
      const part = (t: tf.Tensor2D, g: number) => tf.slice(t, [g * size, 0], [size, -1]);
      const losses = Array.from({ length: groups }, (_, g) =>
        cctQueueLoss(
          queries.map((q) => part(q, g)),
          keys.map((k) => part(k, g)),
          queue,
          options,
        ),
      );
      return tf.div(tf.addN(losses), groups) as tf.Scalar;
    },
    afterStep: () => branch.afterStep(),
    getState: () => branch.getState(),
    setState: (checkpoint) => branch.setState(checkpoint),
    dispose: () => branch.dispose(),
  };
}

/** `o` without its undefined fields (so spreading it keeps the defaults). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** CACR / CCT in the configured form. */
export function createCctMethod(context: MethodContext<CctConfig>): Method {
  return context.config.method.form === 'queue' ? createQueueForm(context) : createSmallScale(context);
}
