import * as tf from '@tensorflow/tfjs-core';
import type { Method, MethodContext } from '@contrastive/app-kit';
import { cctLoss, cctQueueLoss } from '@contrastive/loss-cct';
import { createFeatureQueue, createMomentumEncoder } from '@contrastive/momentum';
import type { CctConfig } from './config';
import { momentumKeys } from './momentum-keys';

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
  const key = createMomentumEncoder(context.encoder.model, { momentum: m.momentum });
  const queue = createFeatureQueue({ size: m.queueSize, dim: context.encoder.projectionDim, seed: context.config.seed });
  let pending: tf.Tensor2D | undefined;
  let saved: tf.Tensor[] = [];
  return {
    loss(views) {
      const queries = (views as tf.Tensor4D[]).map((v) => context.encoder.forward(v).projections);
      const keys = (views as tf.Tensor4D[]).map((v) => momentumKeys(key, v, context.rng, m.shuffleBn));
      pending?.dispose();
      pending = tf.keep(tf.clone(keys[keys.length - 1]!));
      const negatives = queue.negatives();
      return cctQueueLoss(queries, keys, negatives, options);
    },
    afterStep() {
      key.update();
      if (pending !== undefined) {
        queue.enqueue(pending);
        pending.dispose();
        pending = undefined;
      }
    },
    getState() {
      // Copies in the order MomentumEncoder.setState expects; freed at the next save.
      tf.dispose(saved);
      const momentum = key.getState();
      const negatives = queue.negatives();
      saved = [...momentum.weights, negatives];
      return {
        weights: { momentum: momentum.weights },
        tensors: { queue: negatives },
        user: { queuePointer: queue.pointer, momentumStep: key.step },
      };
    },
    setState(checkpoint) {
      const user = checkpoint.user as { queuePointer: number; momentumStep: number };
      key.setState({ step: user.momentumStep, weights: checkpoint.weights['momentum']!.map((w) => w.tensor) });
      queue.setState({ queue: checkpoint.tensors['queue'] as tf.Tensor2D, pointer: user.queuePointer });
    },
    dispose() {
      pending?.dispose();
      tf.dispose(saved);
      key.dispose();
      queue.dispose();
    },
  };
}

/** CACR / CCT in the configured form. */
export function createCctMethod(context: MethodContext<CctConfig>): Method {
  return context.config.method.form === 'queue' ? createQueueForm(context) : createSmallScale(context);
}
