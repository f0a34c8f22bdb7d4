/**
 * The job's encoder: backbone (the ConvNet with the job's channels and final
 * pool grid) + SimCLR projection head, built as the apps build it
 * (apps/kit/src/build-encoder.ts), from the same seed.
 */
import {
  composeEncoder,
  createBackbone,
  createProjectionHead,
  projectionHeadPreset,
  type ComposedEncoder,
} from '@contrastive/encoders';
import { IMAGE_SHAPE } from './images';
import type { WebJob } from './job';

export function buildEncoder(job: WebJob): ComposedEncoder {
  const backbone = createBackbone(job.model.backbone, {
    inputShape: IMAGE_SHAPE,
    seed: job.seed,
    convChannels: [...job.model.convChannels],
    // AdaptiveAvgPool2d(3) of the final 7x7 map: 3 x 3 x 128 = 1152-d features.
    poolGrid: job.model.convPoolGrid,
  });
  const head = projectionHeadPreset(job.model.head, backbone.featureDim);
  return composeEncoder(backbone, createProjectionHead({ ...head, seed: job.seed + 1 }));
}
