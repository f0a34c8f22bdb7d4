/**
 * The losses of the steps since the last read-back, kept on the device.
 * A training loop pushes each step's scalar loss and flushes when it logs:
 * one host read for the whole window (the losses stacked), after which every
 * step's value is known exactly, so the NaN guard still names the first
 * non-finite step. Between flushes nothing waits on the device.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NotFiniteLossError, type TrainingPosition } from './nan-guard';

/** One step's loss as read back. */
export interface StepLoss {
  readonly value: number;
  readonly at: TrainingPosition;
}

export interface LossWindow {
  /** Losses held (steps since the last flush). */
  readonly size: number;
  /** Takes ownership of a step's scalar loss. */
  push(loss: tf.Scalar, at: TrainingPosition): void;
  /**
   * Reads every held loss with one host read, disposes them and empties the
   * window. Throws {@link NotFiniteLossError} at the first non-finite one.
   */
  flush(): Promise<StepLoss[]>;
  /** Disposes the held losses unread. */
  dispose(): void;
}

/** Creates an empty window. */
export function createLossWindow(): LossWindow {
  let held: { loss: tf.Scalar; at: TrainingPosition }[] = [];
  return {
    get size() {
      return held.length;
    },
    push(loss, at) {
      held.push({ loss, at });
    },
    async flush() {
      const window = held;
      held = [];
      if (window.length === 0) return [];
      const losses = window.map((h) => h.loss);
      const stacked = window.length === 1 ? losses[0]! : tf.stack(losses);
      let values: ArrayLike<number>;
      try {
        values = (await stacked.data()) as Float32Array;
      } finally {
        tf.dispose([stacked, ...losses]);
      }
      const out = window.map((h, i) => ({ value: values[i]!, at: h.at }));
      const bad = out.find((s) => !Number.isFinite(s.value));
      if (bad !== undefined) throw new NotFiniteLossError(bad.value, bad.at);
      return out;
    },
    dispose() {
      tf.dispose(held.map((h) => h.loss));
      held = [];
    },
  };
}
