import { defineApp } from '@contrastive/app-kit';
import { SIMCLR_PRESET_DESCRIPTIONS, SIMCLR_PRESETS, simclrSchema } from './config';
import { createSimclrMethod } from './method';

export const simclrApp = defineApp({
  name: 'simclr',
  title: 'SimCLR (Chen et al., ICML 2020): NT-Xent over two augmented views, in-batch negatives',
  schema: simclrSchema,
  presets: SIMCLR_PRESETS,
  presetDescriptions: SIMCLR_PRESET_DESCRIPTIONS,
  createMethod: createSimclrMethod,
});
export { SIMCLR_PRESETS, simclrSchema } from './config';
export type { SimclrConfig } from './config';
export { createSimclrMethod } from './method';
