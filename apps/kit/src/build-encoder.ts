import {
  composeEncoder,
  createBackbone,
  createProjectionHead,
  projectionHeadPreset,
  type BackboneName,
  type ComposedEncoder,
  type ProjectionHeadPreset,
} from '@contrastive/encoders';
import type { z } from 'zod';
import type { modelSchema } from './config-schema';

export type ModelConfig = z.output<typeof modelSchema>;

/**
 * Backbone + the paper's projection head for images of `inputShape` (HWC).
 * The same config and seed always give the same initial weights, so a
 * momentum encoder built with the seed of the online one starts equal to it.
 */
export function buildEncoder(
  config: ModelConfig,
  inputShape: readonly [number, number, number],
  seed: number,
): ComposedEncoder {
  const backbone = createBackbone(config.backbone as BackboneName, {
    inputShape,
    seed,
    stem: config.stem ?? 'cifar',
    ...(config.zeroInitResidual === undefined ? {} : { zeroInitResidual: config.zeroInitResidual }),
    batchNormGroups: config.batchNormGroups,
    ...(config.convChannels === undefined ? {} : { convChannels: config.convChannels }),
    ...(config.convPoolGrid === undefined ? {} : { poolGrid: config.convPoolGrid }),
  });
  const head = projectionHeadPreset(config.head as ProjectionHeadPreset, backbone.featureDim);
  const projection = createProjectionHead({
    ...head,
    ...(config.projectionDim === undefined ? {} : { outputDim: config.projectionDim }),
    batchNormGroups: config.batchNormGroups,
    seed: seed + 1,
  });
  return composeEncoder(backbone, projection);
}
