/**
 * Each paper's projection head as {@link HeadOptions} (spec §1(b), §4(c), §5(b), §6(c)).
 */
import { assertInteger, assertOneOf } from '@contrastive/core';
import type { HeadOptions } from './heads';

/** Names of {@link projectionHeadPreset}. */
export type ProjectionHeadPreset = 'linear' | 'moco-v2' | 'simclr' | 'simclr-v2' | 'dystress' | 'simo' | 'cacr' | 'moco-v3';

export const PROJECTION_HEAD_PRESETS: readonly ProjectionHeadPreset[] = [
  'linear',
  'moco-v2',
  'simclr',
  'simclr-v2',
  'dystress',
  'simo',
  'cacr',
  'moco-v3',
];

/**
 * The head options of a paper, for a backbone of `inputDim` features:
 *
 * | preset | layers | source |
 * |---|---|---|
 * | linear | Linear(in -> 128, bias), torch init | MoCo v1, MoCo CIFAR-10 demo, PCL v1 (§1(b), §2(c)) |
 * | moco-v2 | Linear(in -> in, bias) - ReLU - Linear(-> 128, bias), torch init | MoCo v2, PCL v2 (§1(b)) |
 * | simclr | Linear(in, no bias) - BN - ReLU - Linear(128, no bias) - BN(gamma only), N(0, 0.01) | SimCLR code `linear_layer`, 2 layers as the v1 paper (§1(b)) |
 * | simclr-v2 | as simclr with two hidden layers | SimCLR v2 code default num_proj_layers=3 (§1(b)) |
 * | dystress | Linear(in, no bias) - BN - ReLU - Linear(128, no bias) - BN, torch init | DySTreSS small scale (§4(c)) |
 * | simo | as dystress with N(0, 0.01) init | SiMo / EqCo cvpods config (§5(b)) |
 * | cacr | Linear(in -> 128, bias), N(0, 0.02), zero bias | SmallAlexNet fc8 (§6(c)) |
 * | moco-v3 | Linear(4096, no bias) - BN - ReLU - Linear(4096) - BN - ReLU - Linear(256) - BN(no affine) | MoCo v3 ResNet-50, CACR TMLR (§6(b)) |
 *
 * The loss L2-normalises the head output; heads do not.
 */
export function projectionHeadPreset(name: ProjectionHeadPreset, inputDim: number): HeadOptions {
  const fn = 'projectionHeadPreset';
  assertOneOf(fn, 'name', name, PROJECTION_HEAD_PRESETS);
  assertInteger(fn, 'inputDim', inputDim, 1);
  switch (name) {
    case 'linear':
      return { inputDim, hiddenDims: [], outputDim: 128, bias: true, init: 'torch-default' };
    case 'moco-v2':
      return { inputDim, hiddenDims: [inputDim], outputDim: 128, bias: true, init: 'torch-default' };
    case 'simclr':
    case 'simclr-v2':
      return {
        inputDim,
        hiddenDims: name === 'simclr' ? [inputDim] : [inputDim, inputDim],
        outputDim: 128,
        hiddenBatchNorm: true,
        outputBatchNorm: 'scale',
        bias: 'auto',
        init: 'normal',
        initStd: 0.01,
      };
    case 'dystress':
    case 'simo':
      return {
        inputDim,
        hiddenDims: [inputDim],
        outputDim: 128,
        hiddenBatchNorm: true,
        outputBatchNorm: 'affine',
        bias: false,
        init: name === 'simo' ? 'normal' : 'torch-default',
        initStd: 0.01,
      };
    case 'cacr':
      return { inputDim, hiddenDims: [], outputDim: 128, bias: true, init: 'normal', initStd: 0.02 };
    case 'moco-v3':
      return {
        inputDim,
        hiddenDims: [4096, 4096],
        outputDim: 256,
        hiddenBatchNorm: true,
        outputBatchNorm: 'plain',
        bias: false,
        init: 'torch-default',
      };
  }
}
