/**
 * One entry point for every backbone, by name (for app configs).
 */
import { assertOneOf } from '@contrastive/core';
import type { Backbone, BackboneName } from './backbone';
import { createConvNet } from './conv-net';
import type { ConvNetOptions } from './conv-net';
import { createResNet } from './resnet';
import type { ResNetOptions } from './resnet';
import { createSmallAlexNet } from './small-alexnet';
import type { SmallAlexNetOptions } from './small-alexnet';

export const BACKBONE_NAMES: readonly BackboneName[] = ['resnet18', 'resnet34', 'resnet50', 'small-alexnet', 'conv-net'];

/** Options of any backbone (fields that do not apply to `name` are ignored). */
export type AnyBackboneOptions = Omit<ResNetOptions, 'depth'> & SmallAlexNetOptions & Omit<ConvNetOptions, 'channels'> & {
  /** ConvNet channels. */
  convChannels?: readonly number[];
};

/**
 * Builds the backbone `name` ('resnet18' | 'resnet34' | 'resnet50' |
 * 'small-alexnet' | 'conv-net'). Throws `UNKNOWN_NAME` for other names.
 *
 * @example
 * const backbone = createBackbone('resnet18', { stem: 'cifar', seed: 3 });
 */
export function createBackbone(name: BackboneName, options: AnyBackboneOptions = {}): Backbone {
  assertOneOf('createBackbone', 'name', name, BACKBONE_NAMES);
  const { convChannels, poolGrid, channels, fcDim, initStd, stem, zeroInitResidual, width, ...common } = options;
  switch (name) {
    case 'resnet18':
    case 'resnet34':
    case 'resnet50': {
      const depth = name === 'resnet18' ? 18 : name === 'resnet34' ? 34 : 50;
      return createResNet({ ...common, depth, stem, zeroInitResidual, width });
    }
    case 'small-alexnet':
      return createSmallAlexNet({ ...common, channels, fcDim, initStd });
    case 'conv-net':
      return createConvNet({ ...common, channels: convChannels, poolGrid });
  }
}
