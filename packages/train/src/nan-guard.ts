/**
 * The NaN guard of a training loop: read the loss back (async) and stop with a
 * clear error when it is NaN or infinite. It writes nothing, so the last good
 * checkpoint on disk stays as it was and `--resume` can restart from it.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ContrastiveError } from '@contrastive/core';

/** Where in training the loss was read. */
export interface TrainingPosition {
  step: number;
  epoch: number;
  /** What is checked, for the message. Default `'loss'`. */
  name?: string;
}

/** `NOT_FINITE` with the step and epoch at which training diverged. */
export class NotFiniteLossError extends ContrastiveError {
  readonly step: number;
  readonly epoch: number;
  readonly value: number;
  constructor(value: number, at: TrainingPosition) {
    const name = at.name ?? 'loss';
    super(
      'NOT_FINITE',
      `training: '${name}' must be finite; got ${value} at step ${at.step} (epoch ${at.epoch}). ` +
        'Training stopped; the last good checkpoint is kept (lower the learning rate, then --resume).',
      { fn: 'training', argument: name },
    );
    this.step = at.step;
    this.epoch = at.epoch;
    this.value = value;
  }
}

/**
 * Reads a scalar loss (tensor borrowed, not disposed) or takes a number, and
 * returns its value; throws {@link NotFiniteLossError} when it is not finite.
 */
export async function checkFiniteLoss(loss: Tensor | number, at: TrainingPosition): Promise<number> {
  const value = typeof loss === 'number' ? loss : ((await loss.data())[0] as number);
  if (!Number.isFinite(value)) throw new NotFiniteLossError(value, at);
  return value;
}
