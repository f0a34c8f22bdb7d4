/**
 * Internal helpers that add one layer to a functional graph with PyTorch's
 * padding, BatchNorm and initialisation conventions.
 */
import { layers } from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { Rng } from '@contrastive/core';
import { kaimingNormalFanOut, normalInit, torchLinearDefault, zerosInit } from './init';
import type { LayerInitializer } from './init';
import { AddReLU } from './add-relu';
import { SplitBatchNormalization } from './split-batch-norm';

/** Shared state while building one network: the seed stream and the BN flavour. */
export interface BuildContext {
  readonly rng: Rng;
  /** Groups of every BatchNorm layer (1: plain BatchNorm; > 1: split BN, MoCo CIFAR demo 8). */
  readonly batchNormGroups: number;
}

/** How a conv or dense kernel is initialised. */
export type KernelInit = 'kaiming-fan-out' | 'torch-default' | { normal: number };

export interface ConvSpec {
  filters: number;
  kernelSize: number;
  stride?: number;
  /** Zero padding on every side, as PyTorch's `padding`. Default 0. */
  padding?: number;
  name: string;
  init: KernelInit;
  bias?: boolean;
}

function kernelInitializer(ctx: BuildContext, init: KernelInit, fanIn: number, spec: { kernelSize: number; filters: number }): LayerInitializer {
  // tfjs treats a falsy seed as "unseeded" (its global generator): never pass 0.
  const seed = ctx.rng.seed() || 1;
  if (init === 'kaiming-fan-out') return kaimingNormalFanOut(spec.kernelSize, spec.filters, seed);
  if (init === 'torch-default') return torchLinearDefault(fanIn, seed);
  return normalInit(init.normal, seed);
}

/**
 * Conv2D with PyTorch padding semantics: a stride-1 conv whose padding is
 * (k-1)/2 is TF 'same'; any other padding is an explicit symmetric
 * ZeroPadding2D followed by a 'valid' conv (TF 'same' would pad a stride-2
 * conv asymmetrically, shifting the sampling grid relative to torchvision).
 */
export function conv2d(ctx: BuildContext, x: SymbolicTensor, spec: ConvSpec): SymbolicTensor {
  const stride = spec.stride ?? 1;
  const padding = spec.padding ?? 0;
  const inChannels = x.shape[x.shape.length - 1] ?? 1;
  const fanIn = inChannels * spec.kernelSize * spec.kernelSize;
  let input = x;
  let mode: 'same' | 'valid' = 'valid';
  if (padding > 0) {
    if (stride === 1 && spec.kernelSize % 2 === 1 && padding === (spec.kernelSize - 1) / 2) mode = 'same';
    else input = layers.zeroPadding2d({ padding, name: `${spec.name}.pad` }).apply(x) as SymbolicTensor;
  }
  const bias = spec.bias ?? false;
  const layer = layers.conv2d({
    filters: spec.filters,
    kernelSize: spec.kernelSize,
    strides: stride,
    padding: mode,
    useBias: bias,
    kernelInitializer: kernelInitializer(ctx, spec.init, fanIn, spec),
    ...(bias ? { biasInitializer: biasInitializer(ctx, spec.init, fanIn) } : {}),
    name: spec.name,
  });
  return layer.apply(input) as SymbolicTensor;
}

function biasInitializer(ctx: BuildContext, init: KernelInit, fanIn: number): LayerInitializer {
  if (init === 'torch-default') return torchLinearDefault(fanIn, ctx.rng.seed() || 1);
  return zerosInit();
}

export interface DenseSpec {
  units: number;
  name: string;
  init: KernelInit;
  bias: boolean;
}

/** Dense layer; kernel `[in, units]`. Bias follows the init (torch default: uniform; normal: zeros). */
export function dense(ctx: BuildContext, x: SymbolicTensor, spec: DenseSpec): SymbolicTensor {
  const fanIn = x.shape[x.shape.length - 1] ?? 1;
  const layer = layers.dense({
    units: spec.units,
    useBias: spec.bias,
    kernelInitializer: kernelInitializer(ctx, spec.init, fanIn, { kernelSize: 1, filters: spec.units }),
    ...(spec.bias ? { biasInitializer: biasInitializer(ctx, spec.init, fanIn) } : {}),
    name: spec.name,
  });
  return layer.apply(x) as SymbolicTensor;
}

export interface BatchNormSpec {
  name: string;
  /** Start gamma at 0 (zero-init residual). Default false. */
  zeroGamma?: boolean;
  /** 'affine' (default), 'scale' (gamma only), 'none' (no gamma, no beta). */
  affine?: 'affine' | 'scale' | 'none';
  /** Fuse a ReLU after the normalisation. Default false. */
  relu?: boolean;
}

/**
 * BatchNorm with PyTorch's momentum (0.1, i.e. Keras 0.9), epsilon (1e-5) and
 * unbiased running variance: a {@link SplitBatchNormalization} (one group
 * unless the build asks for split BN). It is used instead of tfjs-layers'
 * BatchNormalization for its closed-form gradient, which trains several times
 * faster on wasm, and because it supports BN without affine terms.
 */
export function batchNorm(ctx: BuildContext, x: SymbolicTensor, spec: BatchNormSpec): SymbolicTensor {
  const affine = spec.affine ?? 'affine';
  const gammaInitializer = spec.zeroGamma === true ? 'zeros' : 'ones';
  const layer = new SplitBatchNormalization({
    numGroups: ctx.batchNormGroups,
    center: affine === 'affine',
    scale: affine !== 'none',
    gammaInitializer,
    activation: spec.relu === true ? 'relu' : 'linear',
    name: spec.name,
  });
  return layer.apply(x) as SymbolicTensor;
}

/** relu(a + b) as one layer (residual junction). */
export function addRelu(a: SymbolicTensor, b: SymbolicTensor, name: string): SymbolicTensor {
  return new AddReLU({ name }).apply([a, b]) as SymbolicTensor;
}

/** ReLU as a layer. */
export function relu(x: SymbolicTensor, name: string): SymbolicTensor {
  return layers.reLU({ name }).apply(x) as SymbolicTensor;
}
