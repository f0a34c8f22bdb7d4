/**
 * A tiny ConvNet for tests and CPU presets (not from a paper):
 *
 *   per entry of `channels`: 3x3 conv (pad 1, no bias) - BN - ReLU, then a 2x2
 *   max-pool between blocks; global average pool at the end, or with
 *   `poolGrid` g > 1 PyTorch's AdaptiveAvgPool2d(g) and a flatten (g*g*C
 *   features that keep coarse spatial layout).
 *
 * Default channels [32, 64, 128]: 28x28x1 Fashion-MNIST -> 14 -> 7 -> 128-d,
 * 32x32x3 CIFAR -> 16 -> 8 -> 128-d. Convs use torchvision's ResNet init
 * (kaiming normal, fan_out).
 */
import { input, layers, model as functionalModel } from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { argumentError, assertInteger, createRng } from '@contrastive/core';
import type { Backbone, BackboneCommonOptions } from './backbone';
import { batchNorm, conv2d } from './layer-helpers';
import type { BuildContext } from './layer-helpers';
import { checkInputShape, definedOnly } from './resnet';

/** Options of {@link createConvNet}. */
export interface ConvNetOptions extends BackboneCommonOptions {
  /** Output channels of each conv block; the last is the feature size. Default [32, 64, 128]. */
  channels?: readonly number[];
  /**
   * Side of the final average-pool grid: 1 (default) is global average
   * pooling (`channels[last]` features); g > 1 averages the last feature map
   * into g x g cells as PyTorch's AdaptiveAvgPool2d(g) (28x28 input, 3 blocks:
   * 7x7 -> 2x2 with 4x4 windows at stride 3) and flattens them
   * (`g * g * channels[last]` features, row-major y, x, channel).
   */
  poolGrid?: number;
}

/** Defaults of {@link ConvNetOptions}. */
export const CONV_NET_DEFAULTS = Object.freeze({
  channels: Object.freeze([32, 64, 128]) as readonly number[],
  inputShape: Object.freeze([32, 32, 3]) as readonly [number, number, number],
  seed: 0,
  batchNormGroups: 1,
  poolGrid: 1,
});

/**
 * PyTorch's AdaptiveAvgPool2d(out) windows over `size` cells
 * ([floor(i size / out), ceil((i + 1) size / out))) as one pool size and
 * stride, or undefined when the windows differ in size or spacing.
 */
export function adaptivePoolWindows(size: number, out: number): { pool: number; stride: number } | undefined {
  const starts = Array.from({ length: out }, (_, i) => Math.floor((i * size) / out));
  const ends = Array.from({ length: out }, (_, i) => Math.ceil(((i + 1) * size) / out));
  const pool = ends[0]! - starts[0]!;
  const stride = out > 1 ? starts[1]! - starts[0]! : 1;
  for (let i = 0; i < out; i++) if (ends[i]! - starts[i]! !== pool || starts[i] !== i * stride) return undefined;
  return { pool, stride };
}

/**
 * Builds the tiny ConvNet. Input `[batch, H, W, C]` (default `[32, 32, 3]`);
 * output `[batch, channels[last]]`.
 *
 * @example
 * const { model } = createConvNet({ inputShape: [28, 28, 1], channels: [16, 32] });
 */
export function createConvNet(options: ConvNetOptions = {}): Backbone {
  const fn = 'createConvNet';
  const o = { ...CONV_NET_DEFAULTS, ...definedOnly(options) };
  checkInputShape(fn, o.inputShape);
  if (o.channels.length === 0 || !o.channels.every((c) => Number.isInteger(c) && c > 0)) {
    throw argumentError('INVALID_ARGUMENT', fn, 'channels', 'a non-empty list of positive integers', `[${o.channels.join(',')}]`);
  }
  const pools = o.channels.length - 1;
  if (Math.min(o.inputShape[0], o.inputShape[1]) < 2 ** pools) {
    throw argumentError('INVALID_ARGUMENT', fn, 'inputShape', `at least ${2 ** pools} x ${2 ** pools} for ${pools} pools`, `[${o.inputShape.join(',')}]`);
  }
  assertInteger(fn, 'seed', o.seed);
  assertInteger(fn, 'batchNormGroups', o.batchNormGroups, 1);
  assertInteger(fn, 'poolGrid', o.poolGrid, 1);
  const finalSide = [Math.floor(o.inputShape[0] / 2 ** pools), Math.floor(o.inputShape[1] / 2 ** pools)] as const;
  const windows = finalSide.map((side) => adaptivePoolWindows(side, o.poolGrid));
  if (o.poolGrid > Math.min(...finalSide) || windows.some((w) => w === undefined)) {
    throw argumentError(
      'INVALID_ARGUMENT',
      fn,
      'poolGrid',
      `a grid whose AdaptiveAvgPool2d windows over the final ${finalSide[0]}x${finalSide[1]} map are of one size and stride (e.g. a divisor of the side)`,
      String(o.poolGrid),
    );
  }

  const ctx: BuildContext = { rng: createRng(o.seed), batchNormGroups: o.batchNormGroups };
  const images = input({ shape: [...o.inputShape], name: 'images' });
  let x: SymbolicTensor = images;
  o.channels.forEach((filters, i) => {
    if (i > 0) x = layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${i}.pool` }).apply(x) as SymbolicTensor;
    x = conv2d(ctx, x, { filters, kernelSize: 3, padding: 1, name: `block${i + 1}.conv`, init: 'kaiming-fan-out' });
    x = batchNorm(ctx, x, { name: `block${i + 1}.bn`, relu: true });
  });
  let features: SymbolicTensor;
  if (o.poolGrid === 1) {
    features = layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as SymbolicTensor;
  } else {
    const [wy, wx] = windows as [{ pool: number; stride: number }, { pool: number; stride: number }];
    x = layers.averagePooling2d({ poolSize: [wy.pool, wx.pool], strides: [wy.stride, wx.stride], padding: 'valid', name: 'avgpool' }).apply(x) as SymbolicTensor;
    features = layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  }
  const model = functionalModel({ inputs: images, outputs: features, name: o.name ?? 'conv-net' });
  const shape = o.inputShape;
  const featureDim = o.channels[o.channels.length - 1]! * o.poolGrid * o.poolGrid;
  return { name: 'conv-net', model, featureDim, inputShape: [shape[0], shape[1], shape[2]] };
}
