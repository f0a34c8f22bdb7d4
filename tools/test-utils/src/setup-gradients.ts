/**
 * Vitest setup file (see vitest.shared.ts): registers tfjs-core's gradient
 * definitions, which live in a side-effect module of tfjs-core's ESM build.
 * Vite resolves that build; plain Node gets the gradients from the CJS bundles
 * of tfjs-layers or @tensorflow/tfjs instead (see @contrastive/backend).
 */
// Load tfjs-core itself first, so the global engine is the complete one.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
