import { defineApp } from '@contrastive/app-kit';
import { PAUC_PRESET_DESCRIPTIONS, PAUC_PRESETS, paucSchema } from './config';
import { createPaucMethod } from './method';

export const paucApp = defineApp({
  name: 'pauc',
  title: 'PAUC (Mo, Sun, Li; BMVC 2022), reconstructed from the abstract: PCL v2 + prototype alignment, uniformity and correlation',
  schema: paucSchema,
  presets: PAUC_PRESETS,
  presetDescriptions: PAUC_PRESET_DESCRIPTIONS,
  createMethod: createPaucMethod,
});
export { PAUC_PRESETS, paucMethodSchema, paucSchema } from './config';
export type { PaucConfig } from './config';
export { createPaucMethod } from './method';
