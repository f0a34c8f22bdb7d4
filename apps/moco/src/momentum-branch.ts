import * as tf from '@tensorflow/tfjs-core';
import type { MethodContext, MethodState } from '@contrastive/app-kit';
import type { Rng } from '@contrastive/core';
import { createFeatureQueue, createMomentumEncoder, type FeatureQueue, type MomentumEncoder } from '@contrastive/momentum';
import type { Checkpoint } from '@contrastive/train';

/** Settings of {@link createMomentumBranch} (the `method` fields of MoCo, PCL and PAUC). */
export interface MomentumBranchOptions {
  queueSize: number;
  momentum: number;
  shuffleKeys: boolean;
}

/**
 * MoCo's key side (spec §0.4, §1(a), §1(e)): the momentum (key) encoder, the
 * queue of negatives and the keys of the current step, waiting to be enqueued.
 * Shared by the MoCo, PCL and PAUC apps.
 */
export interface MomentumBranch {
  readonly key: MomentumEncoder;
  readonly queue: FeatureQueue;
  /**
   * Keys `[B, dim]` of `images` `[B, H, W, C]` from the key encoder in train
   * mode (batch-statistics BN, as MoCo), shuffled and unshuffled when
   * `shuffleKeys`, under stop-gradient. The keys are also kept for
   * {@link MomentumBranch.afterStep}. The caller owns the result.
   */
  keys(images: tf.Tensor4D): tf.Tensor2D;
  /** The queue `[K, dim]` as a constant snapshot (caller disposes). */
  negatives(): tf.Tensor2D;
  /** After the optimiser step: EMA update, then enqueue the step's keys (after the loss, spec §0.4). */
  afterStep(): void;
  getState(): MethodState;
  setState(checkpoint: Checkpoint): void;
  dispose(): void;
}

/**
 * Keys of `images` through `model` in train mode; with `order`, the batch is
 * permuted first and the keys are put back in batch order (single-device
 * shuffle-BN: with split BN a query and its key are normalised with the
 * statistics of different images).
 */
function shuffledKeys(key: MomentumEncoder, images: tf.Tensor4D, order: Int32Array | undefined): tf.Tensor2D {
  return tf.tidy(() => {
    const apply = (x: tf.Tensor4D) => (key.model.apply(x, { training: true }) as tf.Tensor[])[1] as tf.Tensor2D;
    if (order === undefined) return apply(images);
    const inverse = new Int32Array(order.length);
    order.forEach((from, to) => {
      inverse[from] = to;
    });
    const keys = apply(tf.gather(images, tf.tensor1d(order, 'int32')));
    return tf.gather(keys, tf.tensor1d(inverse, 'int32'));
  });
}

/**
 * Creates the key encoder (a frozen copy of the online encoder, EMA of its
 * parameters only; BN statistics evolve from its own forward passes) and the
 * queue (K random unit vectors, seeded by the run's seed).
 */
export function createMomentumBranch(context: MethodContext, options: MomentumBranchOptions, rng: Rng = context.rng): MomentumBranch {
  const key = createMomentumEncoder(context.encoder.model, { momentum: options.momentum });
  // seed + 1: tfjs' randomNormal treats seed 0 as "no seed" (Math.random), which would make runs irreproducible.
  const queue = createFeatureQueue({ size: options.queueSize, dim: context.encoder.projectionDim, seed: context.config.seed + 1 });
  let pending: tf.Tensor2D | undefined;
  let saved: tf.Tensor[] = [];
  return {
    key,
    queue,
    keys(images) {
      const order = options.shuffleKeys ? rng.permutation(images.shape[0]) : undefined;
      const keys = shuffledKeys(key, images, order);
      pending?.dispose();
      pending = tf.keep(tf.clone(keys));
      return keys;
    },
    negatives() {
      return queue.negatives();
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
      tf.dispose(saved);
      // The key encoder's own state order (its model.weights reorders once frozen).
      const state = key.getState();
      const negatives = queue.negatives();
      saved = [...state.weights, negatives];
      return {
        weights: { momentum: state.weights },
        tensors: { queue: negatives },
        user: { momentumStep: key.step, queuePointer: queue.pointer },
      };
    },
    setState(checkpoint) {
      const user = checkpoint.user as { momentumStep: number; queuePointer: number };
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
