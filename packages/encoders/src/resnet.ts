/**
 * ResNet-18, -34 and -50 in torchvision's layout (He et al. 2016; torchvision
 * `models/resnet.py`), without the classifier: the output is the global
 * average pooled feature.
 *
 * - BasicBlock (18, 34): 3x3 conv - BN - ReLU - 3x3 conv - BN, + shortcut, ReLU.
 * - Bottleneck (50), "v1.5": 1x1 - BN - ReLU - 3x3 (carries the stride) - BN -
 *   ReLU - 1x1 (x4 channels) - BN, + shortcut, ReLU.
 * - Shortcut: identity, or 1x1 conv with the block's stride + BN when the shape changes.
 * - Stems: 'imagenet' = 7x7 stride-2 conv (pad 3) - BN - ReLU - 3x3 stride-2 max-pool
 *   (pad 1); 'cifar' = 3x3 stride-1 conv (pad 1) - BN - ReLU, no max-pool (the MoCo
 *   CIFAR demo, DySTreSS and SimCLR's CIFAR ResNets; spec §1(c), §4(c)).
 * - Init as torchvision: convs kaiming normal fan_out, BN gamma 1 and beta 0;
 *   `zeroInitResidual` starts the last BN of every block at gamma 0 (SiMo, spec §5(c)).
 * - Layer names follow torchvision (`conv1`, `layer2.0.downsample.0`, ...); each
 *   ReLU is fused into the BN before it (`bnN` with activation 'relu') or into the
 *   residual junction (`layerX.Y.add` = relu(a + b)), which halves the activations
 *   kept for the backward pass.
 */
import { input, layers, model as functionalModel } from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { argumentError, assertInteger, assertOneOf, createRng } from '@contrastive/core';
import type { Backbone, BackboneCommonOptions } from './backbone';
import { addRelu, batchNorm, conv2d } from './layer-helpers';
import type { BuildContext } from './layer-helpers';

/** ResNet depths provided. */
export type ResNetDepth = 18 | 34 | 50;
/** First layers: 'cifar' (3x3 stride 1, no max-pool) or 'imagenet' (7x7 stride 2 + max-pool). */
export type ResNetStem = 'cifar' | 'imagenet';

/** Options of {@link createResNet}. */
export interface ResNetOptions extends BackboneCommonOptions {
  /** 18, 34 or 50. Default 18. */
  depth?: ResNetDepth;
  /** Default 'cifar'. */
  stem?: ResNetStem;
  /** Start the last BN gamma of each residual block at 0. Default false (torchvision default). */
  zeroInitResidual?: boolean;
  /** Channels of the first stage; later stages double it. Default 64 (torchvision). */
  width?: number;
}

/** Defaults of {@link ResNetOptions}. */
export const RESNET_DEFAULTS = Object.freeze({
  depth: 18 as ResNetDepth,
  stem: 'cifar' as ResNetStem,
  zeroInitResidual: false,
  width: 64,
  seed: 0,
  batchNormGroups: 1,
});

const STAGES: Readonly<Record<ResNetDepth, { block: 'basic' | 'bottleneck'; counts: readonly number[] }>> = {
  18: { block: 'basic', counts: [2, 2, 2, 2] },
  34: { block: 'basic', counts: [3, 4, 6, 3] },
  50: { block: 'bottleneck', counts: [3, 4, 6, 3] },
};

interface BlockSpec {
  name: string;
  planes: number;
  stride: number;
  zeroInitResidual: boolean;
}

function shortcut(ctx: BuildContext, x: SymbolicTensor, spec: BlockSpec, outChannels: number): SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1];
  if (spec.stride === 1 && inChannels === outChannels) return x;
  const name = `${spec.name}.downsample`;
  const y = conv2d(ctx, x, { filters: outChannels, kernelSize: 1, stride: spec.stride, name: `${name}.0`, init: 'kaiming-fan-out' });
  return batchNorm(ctx, y, { name: `${name}.1` });
}

function basicBlock(ctx: BuildContext, x: SymbolicTensor, spec: BlockSpec): SymbolicTensor {
  const n = spec.name;
  let y = conv2d(ctx, x, { filters: spec.planes, kernelSize: 3, stride: spec.stride, padding: 1, name: `${n}.conv1`, init: 'kaiming-fan-out' });
  y = batchNorm(ctx, y, { name: `${n}.bn1`, relu: true });
  y = conv2d(ctx, y, { filters: spec.planes, kernelSize: 3, padding: 1, name: `${n}.conv2`, init: 'kaiming-fan-out' });
  y = batchNorm(ctx, y, { name: `${n}.bn2`, zeroGamma: spec.zeroInitResidual });
  const identity = shortcut(ctx, x, spec, spec.planes);
  return addRelu(y, identity, `${n}.add`);
}

function bottleneck(ctx: BuildContext, x: SymbolicTensor, spec: BlockSpec): SymbolicTensor {
  const n = spec.name;
  const out = spec.planes * 4;
  let y = conv2d(ctx, x, { filters: spec.planes, kernelSize: 1, name: `${n}.conv1`, init: 'kaiming-fan-out' });
  y = batchNorm(ctx, y, { name: `${n}.bn1`, relu: true });
  y = conv2d(ctx, y, { filters: spec.planes, kernelSize: 3, stride: spec.stride, padding: 1, name: `${n}.conv2`, init: 'kaiming-fan-out' });
  y = batchNorm(ctx, y, { name: `${n}.bn2`, relu: true });
  y = conv2d(ctx, y, { filters: out, kernelSize: 1, name: `${n}.conv3`, init: 'kaiming-fan-out' });
  y = batchNorm(ctx, y, { name: `${n}.bn3`, zeroGamma: spec.zeroInitResidual });
  const identity = shortcut(ctx, x, spec, out);
  return addRelu(y, identity, `${n}.add`);
}

function stem(ctx: BuildContext, x: SymbolicTensor, kind: ResNetStem, width: number): SymbolicTensor {
  if (kind === 'cifar') {
    const y = conv2d(ctx, x, { filters: width, kernelSize: 3, padding: 1, name: 'conv1', init: 'kaiming-fan-out' });
    return batchNorm(ctx, y, { name: 'bn1', relu: true });
  }
  let y = conv2d(ctx, x, { filters: width, kernelSize: 7, stride: 2, padding: 3, name: 'conv1', init: 'kaiming-fan-out' });
  y = batchNorm(ctx, y, { name: 'bn1', relu: true });
  // Zero padding equals PyTorch's -inf padding here because the input is a ReLU output (>= 0).
  y = layers.zeroPadding2d({ padding: 1, name: 'maxpool.pad' }).apply(y) as SymbolicTensor;
  return layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'maxpool' }).apply(y) as SymbolicTensor;
}

/**
 * Builds a ResNet backbone.
 *
 * Input `[batch, H, W, C]` float32 (default `[32, 32, 3]` for the CIFAR stem,
 * `[224, 224, 3]` for the ImageNet stem); output `[batch, featureDim]` with
 * featureDim = 8 * width (512) for ResNet-18/34 and 32 * width (2048) for ResNet-50.
 *
 * @example
 * const { model, featureDim } = createResNet({ depth: 18, stem: 'cifar', seed: 1 });
 * const h = model.apply(images, { training: true }) as tf.Tensor2D; // [batch, 512]
 */
export function createResNet(options: ResNetOptions = {}): Backbone {
  const fn = 'createResNet';
  const o = { ...RESNET_DEFAULTS, ...definedOnly(options) };
  if (!([18, 34, 50] as unknown[]).includes(o.depth)) {
    throw argumentError('OUT_OF_RANGE', fn, 'depth', 'one of 18, 34, 50', String(o.depth));
  }
  assertOneOf(fn, 'stem', o.stem, ['cifar', 'imagenet'] as const);
  assertInteger(fn, 'width', o.width, 1);
  assertInteger(fn, 'seed', o.seed);
  assertInteger(fn, 'batchNormGroups', o.batchNormGroups, 1);
  const inputShape = o.inputShape ?? (o.stem === 'cifar' ? [32, 32, 3] : [224, 224, 3]);
  checkInputShape(fn, inputShape);

  const ctx: BuildContext = { rng: createRng(o.seed), batchNormGroups: o.batchNormGroups };
  const images = input({ shape: [...inputShape], name: 'images' });
  let x = stem(ctx, images, o.stem, o.width);
  const { block, counts } = STAGES[o.depth];
  counts.forEach((count, stage) => {
    const planes = o.width * 2 ** stage;
    for (let i = 0; i < count; i++) {
      const spec = { name: `layer${stage + 1}.${i}`, planes, stride: i === 0 && stage > 0 ? 2 : 1, zeroInitResidual: o.zeroInitResidual };
      x = block === 'basic' ? basicBlock(ctx, x, spec) : bottleneck(ctx, x, spec);
    }
  });
  const features = layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as SymbolicTensor;
  const name = o.name ?? `resnet${o.depth}`;
  const model = functionalModel({ inputs: images, outputs: features, name });
  const featureDim = features.shape[1] as number;
  return { name: `resnet${o.depth}`, model, featureDim, inputShape: [inputShape[0], inputShape[1], inputShape[2]] };
}

/** Throws unless `shape` is three positive integers. */
export function checkInputShape(fn: string, shape: readonly number[]): void {
  if (shape.length !== 3 || !shape.every((s) => Number.isInteger(s) && s > 0)) {
    throw argumentError('INVALID_ARGUMENT', fn, 'inputShape', '[height, width, channels] of positive integers', `[${shape.join(',')}]`);
  }
}

/** Drops keys whose value is undefined, so that spreading over defaults keeps them. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
