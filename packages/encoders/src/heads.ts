/**
 * Projection and prediction heads: small MLPs on the backbone feature.
 *
 * Layout for `hiddenDims = [h1, ..., hn]`:
 *   Linear(h1) [- BN] - ReLU - ... - Linear(hn) [- BN] - ReLU - Linear(outputDim) [- BN]
 * With `hiddenDims = []` the head is one Linear layer.
 */
import { input, model as functionalModel } from '@tensorflow/tfjs-layers';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { argumentError, assertInteger, assertOneOf, assertPositive, createRng } from '@contrastive/core';
import { batchNorm, dense, relu } from './layer-helpers';
import type { BuildContext, KernelInit } from './layer-helpers';
import { definedOnly } from './resnet';

/** BatchNorm after the output layer: affine (gamma, beta), gamma only, none with no affine, or absent. */
export type OutputBatchNorm = 'none' | 'affine' | 'scale' | 'plain';

/** Options of {@link createProjectionHead} and {@link createPredictionHead}. */
export interface HeadOptions {
  /** Input size (the backbone feature size). Required. */
  inputDim: number;
  /** Widths of the hidden layers. Default [] (linear head). */
  hiddenDims?: readonly number[];
  /** Output size. Default 128 (SimCLR, MoCo, PCL, DySTreSS, SiMo, CACR). */
  outputDim?: number;
  /** BatchNorm after each hidden Linear, before its ReLU. Default false. */
  hiddenBatchNorm?: boolean;
  /**
   * After the output Linear: 'none' (default), 'affine' (DySTreSS, SiMo),
   * 'scale' (gamma, no beta: SimCLR's code), 'plain' (no affine: MoCo v3).
   */
  outputBatchNorm?: OutputBatchNorm;
  /**
   * Biases of the Linear layers. 'auto' (default): a bias only where no BN
   * follows (SimCLR's code, SiMo, DySTreSS); true/false force it everywhere.
   */
  bias?: 'auto' | boolean;
  /**
   * 'torch-default' (default): PyTorch nn.Linear, U(+-1/sqrt(fan_in)) for
   * weight and bias; 'normal': N(0, initStd^2) weights, zero biases.
   */
  init?: 'torch-default' | 'normal';
  /** Std of the 'normal' init. Default 0.01 (SimCLR code, SiMo). */
  initStd?: number;
  /** Split BatchNorm groups of the head's BN layers. Default 1. */
  batchNormGroups?: number;
  /** Seed of the init. Default 0. */
  seed?: number;
  /**
   * Model name, also the prefix of its layer names (`<name>.fc1.linear`, ...) so
   * that weight names stay unique in a composed model. Default
   * 'projection-head' / 'prediction-head'.
   */
  name?: string;
}

/** A head: `[batch, inputDim]` -> `[batch, outputDim]`. */
export interface Head {
  readonly model: LayersModel;
  readonly inputDim: number;
  readonly outputDim: number;
}

/** Defaults of {@link HeadOptions} for projection heads. */
export const PROJECTION_HEAD_DEFAULTS = Object.freeze({
  hiddenDims: Object.freeze([]) as readonly number[],
  outputDim: 128 as number,
  hiddenBatchNorm: false as boolean,
  outputBatchNorm: 'none' as OutputBatchNorm,
  bias: 'auto' as 'auto' | boolean,
  init: 'torch-default' as 'torch-default' | 'normal',
  initStd: 0.01 as number,
  batchNormGroups: 1 as number,
  seed: 0 as number,
});

const OUTPUT_BN: readonly OutputBatchNorm[] = ['none', 'affine', 'scale', 'plain'];

function buildHead(fn: string, options: HeadOptions, defaults: typeof PROJECTION_HEAD_DEFAULTS, defaultName: string): Head {
  const o = { ...defaults, ...definedOnly(options) };
  assertInteger(fn, 'inputDim', o.inputDim, 1);
  assertInteger(fn, 'outputDim', o.outputDim, 1);
  if (!o.hiddenDims.every((d) => Number.isInteger(d) && d > 0)) {
    throw argumentError('INVALID_ARGUMENT', fn, 'hiddenDims', 'a list of positive integers', `[${o.hiddenDims.join(',')}]`);
  }
  assertOneOf(fn, 'outputBatchNorm', o.outputBatchNorm, OUTPUT_BN);
  assertOneOf(fn, 'init', o.init, ['torch-default', 'normal'] as const);
  if (o.bias !== 'auto' && typeof o.bias !== 'boolean') {
    throw argumentError('INVALID_ARGUMENT', fn, 'bias', "'auto' or a boolean", String(o.bias));
  }
  assertPositive(fn, 'initStd', o.initStd);
  assertInteger(fn, 'batchNormGroups', o.batchNormGroups, 1);
  assertInteger(fn, 'seed', o.seed);

  const ctx: BuildContext = { rng: createRng(o.seed), batchNormGroups: o.batchNormGroups };
  const init: KernelInit = o.init === 'normal' ? { normal: o.initStd } : 'torch-default';
  const useBias = (followedByBn: boolean): boolean => (o.bias === 'auto' ? !followedByBn : o.bias);
  const prefix = o.name ?? defaultName;
  const features = input({ shape: [o.inputDim], name: `${prefix}.input` });
  let x: SymbolicTensor = features;
  o.hiddenDims.forEach((units, i) => {
    const n = `${prefix}.fc${i + 1}`;
    x = dense(ctx, x, { units, bias: useBias(o.hiddenBatchNorm), init, name: `${n}.linear` });
    x = o.hiddenBatchNorm ? batchNorm(ctx, x, { name: `${n}.bn`, relu: true }) : relu(x, `${n}.relu`);
  });
  const last = `${prefix}.fc${o.hiddenDims.length + 1}`;
  const outBn = o.outputBatchNorm !== 'none';
  x = dense(ctx, x, { units: o.outputDim, bias: useBias(outBn), init, name: `${last}.linear` });
  if (outBn) {
    const affine = o.outputBatchNorm === 'plain' ? 'none' : (o.outputBatchNorm as 'affine' | 'scale');
    x = batchNorm(ctx, x, { name: `${last}.bn`, affine });
  }
  const model = functionalModel({ inputs: features, outputs: x, name: prefix });
  return { model, inputDim: o.inputDim, outputDim: o.outputDim };
}

/**
 * Builds a projection head g: h -> z (the input of the contrastive loss).
 * See {@link projectionHeadPreset} for each paper's head.
 *
 * @example
 * const head = createProjectionHead({ ...projectionHeadPreset('moco-v2', 2048), seed: 1 });
 */
export function createProjectionHead(options: HeadOptions): Head {
  return buildHead('createProjectionHead', options, PROJECTION_HEAD_DEFAULTS, 'projection-head');
}

/**
 * Defaults of {@link createPredictionHead}: MoCo v3's predictor
 * (Linear 256 -> 4096, no bias - BN - ReLU - Linear 4096 -> 256, no bias;
 * Chen, Xie, He 2021, moco-v3 builder `_build_mlp(2, 256, 4096, 256, last_bn=False)`).
 */
export const PREDICTION_HEAD_DEFAULTS = Object.freeze({
  ...PROJECTION_HEAD_DEFAULTS,
  hiddenDims: Object.freeze([4096]) as readonly number[],
  outputDim: 256 as number,
  hiddenBatchNorm: true as boolean,
  bias: false as 'auto' | boolean,
});

/**
 * Builds a prediction head q: z -> p (BYOL / MoCo v3 / CACR MoCo-v3 style,
 * applied to the online branch only). Options as {@link createProjectionHead};
 * defaults in {@link PREDICTION_HEAD_DEFAULTS}.
 */
export function createPredictionHead(options: HeadOptions): Head {
  return buildHead('createPredictionHead', options, PREDICTION_HEAD_DEFAULTS, 'prediction-head');
}
