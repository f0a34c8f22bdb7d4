import { defineApp } from '@contrastive/app-kit';
import { MOCO_PRESET_DESCRIPTIONS, MOCO_PRESETS, mocoSchema } from './config';
import { createMocoMethod } from './method';

export const mocoApp = defineApp({
  name: 'moco',
  title: 'MoCo v2 (Chen et al., 2020; v1 He et al., CVPR 2020): InfoNCE against a queue of momentum-encoder keys',
  schema: mocoSchema,
  presets: MOCO_PRESETS,
  presetDescriptions: MOCO_PRESET_DESCRIPTIONS,
  createMethod: createMocoMethod,
});
export { MOCO_PRESETS, mocoMethodSchema, momentumMethodFields, mocoSchema } from './config';
export type { MocoConfig } from './config';
export { createMocoMethod } from './method';
