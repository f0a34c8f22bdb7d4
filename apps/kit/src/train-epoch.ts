/**
 * One epoch of the shared training loop: per batch, the views, the learning
 * rate, the method's tape-free work (key encoders), the optimiser step on the
 * method's loss, the method's after-step work, progress and the step log.
 * `trainApp` runs it; the bench runs it on synthetic batches to count host
 * reads, kernels and peak bytes per step.
 *
 * Nothing waits on the device between log steps: each step's loss stays on
 * the device in a {@link createLossWindow} window that is read back, in one
 * read, at every `logEvery`-th step and at the end of the epoch. Every step's
 * loss is still checked, so a non-finite loss stops training (naming its
 * step) before the epoch's checkpoint is written.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';
import { createLossWindow, type EpochPosition, type MetricRecord, type Progress } from '@contrastive/train';
import type { BatchInfo, Method } from './method';

/**
 * Most step losses held on the device between reads (one scalar buffer
 * each): a `logEvery` above this reads back early, so the window stays small
 * whatever the configuration.
 */
export const MAX_HELD_LOSSES = 1000;

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
  /**
   * Steps between `train` records and loss read-backs: the read comes at the
   * last step of each window of `logEvery` global steps (`(s + 1) % logEvery == 0`),
   * plus one at the end of an epoch that does not end a window.
   */
  readonly logEvery: number;
  /** Writes a metrics record. */
  readonly log?: (record: MetricRecord) => void;
  /**
   * Global steps between checkpoints inside an epoch: after step `s` with
   * `(s + 1) % checkpointEverySteps == 0` the loop reads its loss window
   * (so the running sum is complete and finite) and awaits
   * {@link EpochLoop.checkpoint}. Unset: no checkpoints inside epochs.
   */
  readonly checkpointEverySteps?: number;
  /** Saves a checkpoint inside epoch `epoch` at `position` (after the step's afterStep). */
  readonly checkpoint?: (epoch: number, position: EpochPosition) => Promise<void>;
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
 * loss. To continue an epoch from a checkpoint taken inside it, pass its
 * `from` position and batches starting at `from.batch` (the loader's
 * `startStep`): the mean loss then covers the whole epoch.
 */
export async function trainEpoch(
  loop: EpochLoop,
  epoch: number,
  batches: AsyncIterable<EpochBatch>,
  progress?: Progress,
  from?: EpochPosition,
): Promise<EpochResult> {
  const { optimizer, method } = loop;
  const window = createLossWindow();
  let lossSum = from?.lossSum ?? 0;
  let steps = from?.steps ?? 0;
  let lastLoss = NaN;
  /** Reads the window; adds its losses to the epoch's sum; returns the last. */
  const flush = async (): Promise<number> => {
    for (const { value } of await window.flush()) {
      lossSum += value;
      lastLoss = value;
    }
    return lastLoss;
  };
  try {
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
      try {
        // Outside the gradient tape: nothing it computes is kept for the backward pass.
        method.prepare?.(batchViews, info);
        window.push(optimizer.minimize(() => method.loss(batchViews, info), true)!, { epoch, step });
      } finally {
        tf.dispose(batchViews);
      }
      method.afterStep?.(info);
      steps++;
      if ((step + 1) % loop.logEvery === 0) {
        const loss = await flush();
        loop.log?.({ kind: 'train', epoch, step, loss, lr, ...(method.lastTerms?.() ?? {}) });
      } else if (window.size >= MAX_HELD_LOSSES) {
        await flush();
      }
      if (loop.checkpoint !== undefined && loop.checkpointEverySteps !== undefined && (step + 1) % loop.checkpointEverySteps === 0) {
        await flush();
        await loop.checkpoint(epoch, { batch: batch.step + 1, lossSum, steps });
      }
      progress?.increment(Number.isNaN(lastLoss) ? { lr } : { loss: lastLoss, lr });
    }
    await flush();
  } finally {
    window.dispose();
  }
  return { loss: lossSum / Math.max(steps, 1), steps };
}
