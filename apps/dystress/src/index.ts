import { defineApp } from '@contrastive/app-kit';
import { DYSTRESS_PRESET_DESCRIPTIONS, DYSTRESS_PRESETS, dystressSchema } from './config';
import { createDystressMethod } from './method';

export const dystressApp = defineApp({
  name: 'dystress',
  title: 'DySTreSS (Manna et al., arXiv 2308.01140): NT-Xent with a cosine-similarity-dependent temperature',
  schema: dystressSchema,
  presets: DYSTRESS_PRESETS,
  presetDescriptions: DYSTRESS_PRESET_DESCRIPTIONS,
  createMethod: createDystressMethod,
});
export { DYSTRESS_LOSS_NAMES, DYSTRESS_PRESETS, dystressSchema } from './config';
export type { DystressConfig, DystressLossName } from './config';
export { createDystressMethod } from './method';
