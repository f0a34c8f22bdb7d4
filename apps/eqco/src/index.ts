import { defineApp } from '@contrastive/app-kit';
import { EQCO_PRESET_DESCRIPTIONS, EQCO_PRESETS, eqcoSchema } from './config';
import { createEqcoMethod } from './method';

export const eqcoApp = defineApp({
  name: 'eqco',
  title: 'EqCo and SiMo (Zhu et al., arXiv 2010.01929): InfoNCE with alpha/K-rescaled negatives, in-batch (SiMo) or over a MoCo v2 queue',
  schema: eqcoSchema,
  presets: EQCO_PRESETS,
  presetDescriptions: EQCO_PRESET_DESCRIPTIONS,
  createMethod: createEqcoMethod,
});
export { EQCO_PRESETS, EQCO_VARIANTS, eqcoSchema } from './config';
export type { EqcoConfig, EqcoVariant } from './config';
export { createEqcoMethod } from './method';
