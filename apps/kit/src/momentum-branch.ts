import * as tf from '@tensorflow/tfjs-core';
import type { MethodContext, MethodState } from './method';
import { ContrastiveError, type Rng } from '@contrastive/core';
import { createFeatureQueue, createMomentumEncoder, type FeatureQueue, type MomentumEncoder } from '@contrastive/momentum';
import type { Checkpoint } from '@contrastive/train';

/** Settings of {@link createMomentumBranch} (the `method` fields of the MoCo-style apps). */
export interface MomentumBranchOptions {
  /** Queue length K; 0 for no queue (SiMo, in-batch keys only). */
  queueSize: number;
  /** EMA momentum m of the key encoder (spec §0.4). */
  momentum: number;
  /** Shuffle the key batch around the key encoder (single-device shuffle-BN, spec §0.4). */
  shuffleKeys: boolean;
}

/**
 * MoCo's key side (spec §0.4, §1(a), §1(e)): the momentum (key) encoder, the
 * queue of negatives and the keys of the current step, waiting to be enqueued.
 * Shared by the MoCo, PCL, PAUC, EqCo and CCT apps.
 */
export interface MomentumBranch {
  readonly key: MomentumEncoder;
  /** The queue, or undefined when `queueSize` is 0. */
  readonly queue: FeatureQueue | undefined;
  /**
   * Keys `[B, dim]` of each of `views` (`[B, H, W, C]`) from the key encoder
   * in train mode (batch-statistics BN, as MoCo), shuffled and unshuffled
   * when `shuffleKeys`. Call it from `Method.prepare`, outside the gradient
   * tape, so the key encoder's activations are never held for a backward
   * pass. The keys live until {@link MomentumBranch.afterStep}; the last
   * view's keys are the ones it enqueues.
   */
  prepare(views: readonly tf.Tensor4D[]): void;
  /** The prepared keys of view `index` (default 0), borrowed: the branch disposes them after the step. */
  keys(index?: number): tf.Tensor2D;
  /** The queue `[K, dim]` as a constant snapshot (caller disposes); throws without a queue. */
  negatives(): tf.Tensor2D;
  /** After the optimiser step: EMA update, then enqueue the last view's keys (after the loss, spec §0.4), and free the step's keys. */
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
  const queue =
    options.queueSize > 0
      ? // Its own stream (seed + 1), apart from the encoder initialisation that uses the run's seed.
        createFeatureQueue({ size: options.queueSize, dim: context.encoder.projectionDim, seed: context.config.seed + 1 })
      : undefined;
  let prepared: tf.Tensor2D[] = [];
  let saved: tf.Tensor[] = [];
  return {
    key,
    queue,
    prepare(views) {
      tf.dispose(prepared);
      // Kept: they must outlive any tidy scope prepare() is called in, until afterStep().
      prepared = views.map((images) => tf.keep(shuffledKeys(key, images, options.shuffleKeys ? rng.permutation(images.shape[0]) : undefined)));
    },
    keys(index = 0) {
      const keys = prepared[index];
      if (keys === undefined) {
        throw new ContrastiveError(
          'INVALID_ARGUMENT',
          `MomentumBranch.keys: 'index' must name a view passed to prepare() this step (0..${prepared.length - 1}); got ${index}`,
          { fn: 'MomentumBranch.keys', argument: 'index' },
        );
      }
      return keys;
    },
    negatives() {
      if (queue === undefined) {
        throw new ContrastiveError('INVALID_ARGUMENT', "MomentumBranch.negatives: 'queueSize' must be > 0 to read negatives; got 0", {
          fn: 'MomentumBranch.negatives',
          argument: 'queueSize',
        });
      }
      return queue.negatives();
    },
    afterStep() {
      key.update();
      const last = prepared[prepared.length - 1];
      if (queue !== undefined && last !== undefined) queue.enqueue(last);
      tf.dispose(prepared);
      prepared = [];
    },
    getState() {
      tf.dispose(saved);
      // The key encoder's own state order (its model.weights reorders once frozen).
      const state = key.getState();
      const user = { momentumStep: key.step, queuePointer: queue?.pointer ?? 0 };
      if (queue === undefined) {
        saved = [...state.weights];
        return { weights: { momentum: state.weights }, user };
      }
      const negatives = queue.negatives();
      saved = [...state.weights, negatives];
      return { weights: { momentum: state.weights }, tensors: { queue: negatives }, user };
    },
    setState(checkpoint) {
      const user = checkpoint.user as { momentumStep: number; queuePointer: number };
      key.setState({ step: user.momentumStep, weights: checkpoint.weights['momentum']!.map((w) => w.tensor) });
      queue?.setState({ queue: checkpoint.tensors['queue'] as tf.Tensor2D, pointer: user.queuePointer });
    },
    dispose() {
      tf.dispose(prepared);
      tf.dispose(saved);
      key.dispose();
      queue?.dispose();
    },
  };
}
