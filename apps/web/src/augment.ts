/**
 * The job's augmentation: its preset (`fashion-mnist-cpu`) with the job's
 * RandomResizedCrop area range (`augment.cropScale`, 0.3-1 in the default
 * job), as apps/kit's `openAugment` builds it. `train` makes the views,
 * `eval` is the deterministic transform before the kNN protocol.
 */
import { getAugmentPreset, type AugmentPreset, type AugmentPresetName } from '@contrastive/augment';
import type { WebJob } from './job';

export function jobAugment(job: WebJob): AugmentPreset {
  return getAugmentPreset(job.augment.preset as AugmentPresetName, { cropScale: job.augment.cropScale });
}
