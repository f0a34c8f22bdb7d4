/**
 * One epoch of the shared training loop: per batch, the views, the learning
 * rate, the optimiser step on the method's loss, the method's after-step
 * work, progress and the step log. `trainApp` runs it; the bench runs it on
 * synthetic batches to count host reads, kernels and peak bytes per step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';
import { checkFiniteLoss, type MetricRecord, type Progress } from '@contrastive/train';
import type { BatchInfo, Method } from './method';

/** A batch as the loader hands it out (the loop disposes its tensors). */
export interface EpochBatch {
  readonly images: tf.Tensor4D;
  readonly labels?: tf.Tensor;
  readonly indices: Int32Array;
  /** Batch number within the epoch, from 0. */
  readonly step: number;
}

/** The optimiser surface the loop uses (the project's SGD, LARS and AdamW). */
export interface LoopOptimizer {
  setLearningRate(lr: number): void;
  minimize(f: () => tf.Scalar, returnCost: true): tf.Scalar | null;
}

/** What stays fixed across epochs. */
export interface EpochLoop {
  readonly optimizer: LoopOptimizer;
  readonly method: Method;
  /** The augmented views of a batch (`[B, H, W, C]` each). */
  readonly views: (images: tf.Tensor4D, rng: Rng) => tf.Tensor4D[];
  readonly augmentRng: Rng;
  /** Learning rate at a global step. */
  readonly schedule: (step: number) => number;
  readonly stepsPerEpoch: number;
  /** Steps between `train` records (and loss read-backs). */
  readonly logEvery: number;
  /** Writes a metrics record. */
  readonly log?: (record: MetricRecord) => void;
}

/** The outcome of one epoch. */
export interface EpochResult {
  /** Mean loss over the epoch's steps. */
  readonly loss: number;
  readonly steps: number;
}

/**
 * Trains one epoch (0-based `epoch`) on `batches`, stopping after
 * `loop.stepsPerEpoch` steps. Throws `NotFiniteLossError` at a non-finite
 * loss.
 */
export async function trainEpoch(
  loop: EpochLoop,
  epoch: number,
  batches: AsyncIterable<EpochBatch>,
  progress?: Progress,
): Promise<EpochResult> {
  const { optimizer, method } = loop;
  let lossSum = 0;
  let steps = 0;
  for await (const batch of batches) {
    if (batch.step >= loop.stepsPerEpoch) {
      tf.dispose([batch.images, batch.labels ?? []]);
      break;
    }
    const step = epoch * loop.stepsPerEpoch + batch.step;
    const info: BatchInfo = { indices: batch.indices, epoch, step };
    const lr = loop.schedule(step);
    optimizer.setLearningRate(lr);
    const batchViews = tf.tidy(() => loop.views(batch.images, loop.augmentRng));
    tf.dispose([batch.images, batch.labels ?? []]);
    const lossTensor = optimizer.minimize(() => method.loss(batchViews, info), true)!;
    tf.dispose(batchViews);
    let loss: number;
    try {
      loss = await checkFiniteLoss(lossTensor, { epoch, step });
    } finally {
      lossTensor.dispose();
    }
    method.afterStep?.(info);
    lossSum += loss;
    steps++;
    progress?.increment({ loss, lr });
    if (step % loop.logEvery === 0) {
      loop.log?.({ kind: 'train', epoch, step, loss, lr, ...(method.lastTerms?.() ?? {}) });
    }
  }
  return { loss: lossSum / Math.max(steps, 1), steps };
}
