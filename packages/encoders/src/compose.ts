/**
 * Backbone + projection head (+ prediction head) as one functional model whose
 * outputs are all available: the backbone feature h for kNN monitors and linear
 * probes, the projection z for the loss, and optionally the prediction p.
 * The composed model shares its layers (and weights) with its parts.
 */
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { input, model as functionalModel } from '@tensorflow/tfjs-layers';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { argumentError, assertDtype, assertRank, assertShape } from '@contrastive/core';
import type { Backbone } from './backbone';
import type { Head } from './heads';

/** Options of {@link composeEncoder}. */
export interface ComposeOptions {
  /** A prediction head applied to the projection (BYOL / MoCo v3 style). */
  prediction?: Head;
  /** Model name. Default 'encoder'. */
  name?: string;
}

/** Outputs of {@link ComposedEncoder.forward}; the caller owns the tensors. */
export type EncoderOutputs = {
  /** Backbone features h, `[batch, featureDim]`. */
  features: Tensor2D;
  /** Projections z, `[batch, projectionDim]`. */
  projections: Tensor2D;
  /** Predictions p, `[batch, predictionDim]`, when a prediction head was given. */
  predictions?: Tensor2D;
};

/** A backbone with its head(s). */
export interface ComposedEncoder {
  /** Functional model: images -> [h, z] or [h, z, p]. */
  readonly model: LayersModel;
  readonly backbone: Backbone;
  readonly projection: Head;
  readonly prediction: Head | undefined;
  readonly featureDim: number;
  readonly projectionDim: number;
  /**
   * Runs the model on `images` `[batch, H, W, C]` float32 and names the
   * outputs. `training` (default true) selects train-mode BatchNorm, which
   * also updates the running statistics. Usable inside `optimizer.minimize`.
   */
  forward(images: Tensor4D, options?: { training?: boolean }): EncoderOutputs;
}

/**
 * Composes a backbone and heads into one model.
 * Throws `SHAPE_MISMATCH` when the head input sizes do not match.
 *
 * @example
 * const backbone = createResNet({ depth: 18, stem: 'cifar' });
 * const encoder = composeEncoder(backbone, createProjectionHead(projectionHeadPreset('dystress', 512)));
 * const { features, projections } = encoder.forward(images); // [B, 512], [B, 128]
 */
export function composeEncoder(backbone: Backbone, projection: Head, options: ComposeOptions = {}): ComposedEncoder {
  const fn = 'composeEncoder';
  if (projection.inputDim !== backbone.featureDim) {
    throw argumentError('SHAPE_MISMATCH', fn, 'projection', `a head with inputDim ${backbone.featureDim}`, `inputDim ${projection.inputDim}`);
  }
  const prediction = options.prediction;
  if (prediction !== undefined && prediction.inputDim !== projection.outputDim) {
    throw argumentError('SHAPE_MISMATCH', fn, 'prediction', `a head with inputDim ${projection.outputDim}`, `inputDim ${prediction.inputDim}`);
  }
  const images = input({ shape: [...backbone.inputShape], name: 'images' });
  const h = backbone.model.apply(images) as SymbolicTensor;
  const z = projection.model.apply(h) as SymbolicTensor;
  const outputs = [h, z];
  if (prediction !== undefined) outputs.push(prediction.model.apply(z) as SymbolicTensor);
  const model = functionalModel({ inputs: images, outputs, name: options.name ?? 'encoder' });
  const [height, width, channels] = backbone.inputShape;

  return {
    model,
    backbone,
    projection,
    prediction,
    featureDim: backbone.featureDim,
    projectionDim: projection.outputDim,
    forward(x: Tensor4D, forwardOptions: { training?: boolean } = {}): EncoderOutputs {
      assertRank('ComposedEncoder.forward', 'images', x, 4);
      assertShape('ComposedEncoder.forward', 'images', x, [null, height, width, channels]);
      assertDtype('ComposedEncoder.forward', 'images', x, 'float32');
      const training = forwardOptions.training ?? true;
      const out = model.apply(x, { training }) as Tensor[];
      const result: EncoderOutputs = { features: out[0] as Tensor2D, projections: out[1] as Tensor2D };
      if (out[2] !== undefined) result.predictions = out[2] as Tensor2D;
      return result;
    },
  };
}

/** Parameter counts of a model: trainable (PyTorch `parameters()`) and the rest (BN running statistics). */
export function countParameters(model: LayersModel): { trainable: number; nonTrainable: number; total: number } {
  const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
  const trainable = model.trainableWeights.reduce((s, w) => s + size(w.shape as number[]), 0);
  const nonTrainable = model.nonTrainableWeights.reduce((s, w) => s + size(w.shape as number[]), 0);
  return { trainable, nonTrainable, total: trainable + nonTrainable };
}
