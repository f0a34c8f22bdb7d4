import * as tf from '@tensorflow/tfjs-core';
import type { Method, MethodContext } from '@contrastive/app-kit';
import { eqcoLoss, simoLoss } from '@contrastive/loss-eqco';
import { createFeatureQueue, createMomentumEncoder, type FeatureQueue } from '@contrastive/momentum';
import type { EqcoConfig } from './config';
import { momentumKeys } from './momentum-keys';

/**
 * SiMo and MoCo v2 + EqCo (spec §5(a), §1(c), §0.4). Queries: online
 * encoder on view 1; keys: momentum encoder on view 2 (train-mode BN, with
 * shuffle-BN emulated). SiMo contrasts each query with the batch's other
 * keys (simoLoss, one direction); MoCo-EqCo with a queue of K earlier keys
 * (eqcoLoss). Both rescale the negatives by alpha/K. After the optimiser
 * step: EMA update of the key encoder, then (MoCo-EqCo) enqueue the keys.
 */
export function createEqcoMethod(context: MethodContext<EqcoConfig>): Method {
  const m = context.config.method;
  const key = createMomentumEncoder(context.encoder.model, { momentum: m.momentum });
  const queue: FeatureQueue | undefined =
    m.variant === 'moco-eqco'
      ? createFeatureQueue({ size: m.queueSize, dim: context.encoder.projectionDim, seed: context.config.seed })
      : undefined;
  let pending: tf.Tensor2D | undefined;
  let saved: tf.Tensor[] = [];
  return {
    loss(views, batch) {
      const [v1, v2] = views as [tf.Tensor4D, tf.Tensor4D];
      const query = context.encoder.forward(v1).projections;
      const keys = momentumKeys(key, v2, context.rng, m.shuffleBn);
      if (queue === undefined) {
        // A fresh shared subsampling of the negatives each step (used only when K < B - 1).
        return simoLoss(query, keys, { temperature: m.temperature, alpha: m.alpha, numNegatives: m.numNegatives, seed: batch.step });
      }
      pending?.dispose();
      pending = tf.keep(tf.clone(keys));
      return eqcoLoss(query, keys, queue.negatives(), { temperature: m.temperature, alpha: m.alpha });
    },
    afterStep() {
      key.update();
      if (queue !== undefined && pending !== undefined) {
        queue.enqueue(pending);
        pending.dispose();
        pending = undefined;
      }
    },
    getState() {
      // Copies in the order MomentumEncoder.setState expects; freed at the next save.
      tf.dispose(saved);
      const momentum = key.getState();
      const user = { momentumStep: momentum.step, queuePointer: queue?.pointer ?? 0 };
      if (queue === undefined) {
        saved = momentum.weights;
        return { weights: { momentum: momentum.weights }, user };
      }
      const negatives = queue.negatives();
      saved = [...momentum.weights, negatives];
      return { weights: { momentum: momentum.weights }, tensors: { queue: negatives }, user };
    },
    setState(checkpoint) {
      const user = checkpoint.user as { momentumStep: number; queuePointer: number };
      key.setState({ step: user.momentumStep, weights: checkpoint.weights['momentum']!.map((w) => w.tensor) });
      queue?.setState({ queue: checkpoint.tensors['queue'] as tf.Tensor2D, pointer: user.queuePointer });
    },
    dispose() {
      pending?.dispose();
      tf.dispose(saved);
      key.dispose();
      queue?.dispose();
    },
  };
}
