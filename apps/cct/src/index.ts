import { defineApp } from '@contrastive/app-kit';
import { CCT_PRESET_DESCRIPTIONS, CCT_PRESETS, cctSchema } from './config';
import { createCctMethod } from './method';

export const cctApp = defineApp({
  name: 'cct',
  title: 'CACR / CCT (Zheng et al., arXiv 2105.03746): contrastive attraction and repulsion by conditional transport over multiple views',
  schema: cctSchema,
  presets: CCT_PRESETS,
  presetDescriptions: CCT_PRESET_DESCRIPTIONS,
  createMethod: createCctMethod,
});
export { CCT_FORMS, CCT_PRESETS, cctSchema } from './config';
export type { CctConfig, CctForm } from './config';
export { createCctMethod } from './method';
