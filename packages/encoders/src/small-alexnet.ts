/**
 * SmallAlexNet of Wang & Isola (align_uniform, examples/stl10) as used by CACR's
 * small-scale experiments (spec §6(c)), without its fc8 head:
 *
 *   5 x [3x3 conv (pad 1, no bias) - BN - ReLU] with 96, 192, 384, 384, 192 channels,
 *   3x3 stride-2 max-pools (no padding) after blocks 1, 2 and 5;
 *   fc6: flatten - Linear(no bias, 4096) - BN - ReLU;
 *   fc7: Linear(no bias, 4096) - BN - ReLU  -> the backbone feature (4096-d).
 *
 * fc8 (Linear 4096 -> 128 with bias, then L2 normalise) is the projection head
 * preset 'cacr' of {@link projectionHeadPreset}. The CACR linear probe reads
 * fc7 (layer_index -2), i.e. this backbone's output.
 *
 * Init as the reference: convs and linears N(0, 0.02), biases 0, BN gamma 1 beta 0.
 * Spatial sizes: 32 -> 15 -> 7 -> 3 (CIFAR, fc6 input 192*3*3);
 * 64 -> 31 -> 15 -> 7 (STL-10 at 64 px, fc6 input 192*7*7).
 */
import { input, layers, model as functionalModel } from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { argumentError, assertInteger, createRng } from '@contrastive/core';
import type { Backbone, BackboneCommonOptions } from './backbone';
import { batchNorm, conv2d, dense } from './layer-helpers';
import type { BuildContext } from './layer-helpers';
import { checkInputShape, definedOnly } from './resnet';

/** Options of {@link createSmallAlexNet}. */
export interface SmallAlexNetOptions extends BackboneCommonOptions {
  /** Channels of the five conv blocks. Default [96, 192, 384, 384, 192] (align_uniform). */
  channels?: readonly [number, number, number, number, number];
  /** Width of fc6 and fc7 (the feature size). Default 4096. */
  fcDim?: number;
  /** Std of the N(0, std^2) weight init. Default 0.02 (align_uniform). */
  initStd?: number;
}

/** Defaults of {@link SmallAlexNetOptions}. */
export const SMALL_ALEXNET_DEFAULTS = Object.freeze({
  channels: Object.freeze([96, 192, 384, 384, 192]) as readonly [number, number, number, number, number],
  fcDim: 4096,
  initStd: 0.02,
  inputShape: Object.freeze([32, 32, 3]) as readonly [number, number, number],
  seed: 0,
  batchNormGroups: 1,
});

const POOL_AFTER = [true, true, false, false, true];

/**
 * Builds SmallAlexNet. Input `[batch, H, W, C]` (default `[32, 32, 3]`;
 * H and W at least 15); output `[batch, fcDim]` (fc7 after BN and ReLU).
 *
 * @example
 * const { model, featureDim } = createSmallAlexNet({ inputShape: [64, 64, 3] }); // STL-10
 */
export function createSmallAlexNet(options: SmallAlexNetOptions = {}): Backbone {
  const fn = 'createSmallAlexNet';
  const o = { ...SMALL_ALEXNET_DEFAULTS, ...definedOnly(options) };
  checkInputShape(fn, o.inputShape);
  if (o.channels.length !== 5 || !o.channels.every((c) => Number.isInteger(c) && c > 0)) {
    throw argumentError('INVALID_ARGUMENT', fn, 'channels', 'five positive integers', `[${o.channels.join(',')}]`);
  }
  assertInteger(fn, 'fcDim', o.fcDim, 1);
  assertInteger(fn, 'seed', o.seed);
  assertInteger(fn, 'batchNormGroups', o.batchNormGroups, 1);
  let spatial = [o.inputShape[0], o.inputShape[1]];
  for (const pool of POOL_AFTER) if (pool) spatial = spatial.map((s) => Math.floor((s - 3) / 2) + 1);
  if (spatial.some((s) => s < 1)) {
    throw argumentError('INVALID_ARGUMENT', fn, 'inputShape', 'at least 15 x 15 (three 3x3 stride-2 pools)', `[${o.inputShape.join(',')}]`);
  }

  const ctx: BuildContext = { rng: createRng(o.seed), batchNormGroups: o.batchNormGroups };
  const init = { normal: o.initStd };
  const images = input({ shape: [...o.inputShape], name: 'images' });
  let x: SymbolicTensor = images;
  o.channels.forEach((filters, i) => {
    const n = `conv_block_${i + 1}`;
    x = conv2d(ctx, x, { filters, kernelSize: 3, padding: 1, name: `${n}.conv`, init });
    x = batchNorm(ctx, x, { name: `${n}.bn`, relu: true });
    if (POOL_AFTER[i] === true) {
      x = layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: `${n}.pool` }).apply(x) as SymbolicTensor;
    }
  });
  x = layers.flatten({ name: 'fc6.flatten' }).apply(x) as SymbolicTensor;
  for (const n of ['fc6', 'fc7']) {
    x = dense(ctx, x, { units: o.fcDim, bias: false, init, name: `${n}.linear` });
    x = batchNorm(ctx, x, { name: `${n}.bn`, relu: true });
  }
  const model = functionalModel({ inputs: images, outputs: x, name: o.name ?? 'small-alexnet' });
  const shape = o.inputShape;
  return { name: 'small-alexnet', model, featureDim: o.fcDim, inputShape: [shape[0], shape[1], shape[2]] };
}
