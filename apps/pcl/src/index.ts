import { defineApp } from '@contrastive/app-kit';
import { PCL_PRESET_DESCRIPTIONS, PCL_PRESETS, pclSchema } from './config';
import { createPclMethod } from './method';

export const pclApp = defineApp({
  name: 'pcl',
  title: 'PCL v1/v2 (Li et al., ICLR 2021): ProtoNCE with k-means prototypes of momentum features, E-step every epoch after warm-up',
  schema: pclSchema,
  presets: PCL_PRESETS,
  presetDescriptions: PCL_PRESET_DESCRIPTIONS,
  createMethod: createPclMethod,
});
export { PCL_PRESETS, pclMethodFields, pclMethodSchema, pclSchema } from './config';
export type { PclConfig } from './config';
export { createPclMethod } from './method';
export { cappedNegatives, createPclEStep } from './e-step';
export type { EStepOptions, PclEStep } from './e-step';
