/**
 * What an app contributes to the shared training loop: its config schema,
 * presets and a method (the loss of a batch, plus whatever state the method
 * keeps: a momentum encoder, a queue, prototypes).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Augmentation } from '@contrastive/augment';
import type { Rng } from '@contrastive/core';
import type { ComposedEncoder } from '@contrastive/encoders';
import type { Checkpoint, VariableLike } from '@contrastive/train';
import type { z } from 'zod';
import type { BaseConfig } from './config-schema';
import type { RunData } from './open-data';

/** The batch a step trains on. */
export interface BatchInfo {
  /** Dataset indices of the batch's images (PCL looks up cluster assignments with them). */
  readonly indices: Int32Array;
  readonly epoch: number;
  /** Global 0-based iteration. */
  readonly step: number;
}

/** Everything a method may use; created once per run. */
export interface MethodContext<C extends BaseConfig = BaseConfig> {
  readonly config: C;
  /** The online encoder (its trainable weights are optimised). */
  readonly encoder: ComposedEncoder;
  /** A new encoder of the same architecture and initial weights (e.g. a momentum copy). */
  createEncoder(): ComposedEncoder;
  readonly data: RunData;
  /** Deterministic transform of the training images (E-step features). */
  readonly evalTransform: Augmentation;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** The method's own seeded generator (saved in checkpoints). */
  readonly rng: Rng;
  /** Prints a line (above the progress bar). */
  log(message: string): void;
}

/** State a method adds to a checkpoint. */
export interface MethodState {
  weights?: Record<string, readonly (VariableLike | tf.Tensor)[]>;
  tensors?: Record<string, tf.Tensor>;
  user?: unknown;
}

export interface Method {
  /**
   * Work on a batch's views that takes no gradient (a momentum encoder's
   * keys), run just before {@link Method.loss} and outside the gradient tape,
   * so none of its activations are held for the backward pass. What it
   * computes lives until {@link Method.afterStep}.
   */
  prepare?(views: tf.Tensor4D[], batch: BatchInfo): void;
  /**
   * Loss of one batch from its views (each `[B, H, W, C]`). Called inside the
   * optimiser's gradient tape: only the online encoder's weights get gradients.
   */
  loss(views: tf.Tensor4D[], batch: BatchInfo): tf.Scalar;
  /** After the optimiser step: momentum update, enqueue keys. */
  afterStep?(batch: BatchInfo): void;
  /** Before epoch `epoch` (0-based) starts: PCL's E-step. */
  beforeEpoch?(epoch: number): Promise<void>;
  /** Scalars to log with the step's loss (e.g. a composite loss's terms). */
  lastTerms?(): Record<string, number>;
  /**
   * Checkpoint content beyond the online encoder, optimiser and RNGs. With
   * `inEpoch` (a checkpoint inside an epoch) it must also hold what
   * {@link Method.beforeEpoch} computed for the epoch (PCL's clusterings):
   * a run resumed there continues the epoch without calling beforeEpoch.
   */
  getState?(position: { inEpoch: boolean }): MethodState;
  /** Restores what getState saved (`checkpoint.inEpoch` is set for a checkpoint inside an epoch). */
  setState?(checkpoint: Checkpoint): void | Promise<void>;
  dispose(): void;
}

/** One app: name, schema, presets and its method. */
export interface AppDefinition<S extends z.ZodType = z.ZodType> {
  /** `simclr`, `moco`, ... (the CLI's app argument). */
  readonly name: string;
  /** One line: the paper and what the app reproduces. */
  readonly title: string;
  readonly schema: S;
  /** Presets by name: `paper-*`, `cpu-fashion-mnist`, `smoke`. */
  readonly presets: Readonly<Record<string, unknown>>;
  /** One line per preset for `contrastive list`. */
  readonly presetDescriptions: Readonly<Record<string, string>>;
  createMethod(context: MethodContext<z.output<S> & BaseConfig>): Method | Promise<Method>;
}

/** Identity helper that checks an app definition's types. */
export function defineApp<S extends z.ZodType>(app: AppDefinition<S>): AppDefinition<S> {
  return app;
}
