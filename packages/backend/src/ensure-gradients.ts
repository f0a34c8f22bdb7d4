/**
 * tfjs-core keeps its gradient definitions out of its Node bundle: the
 * `@tensorflow/tfjs` and `@tensorflow/tfjs-layers` Node bundles register
 * them (bundlers use tfjs-core's `register_all_gradients` module instead).
 * Training needs them, so `setBackend` makes sure they are registered.
 */
import { getGradient } from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';

const PROVIDERS = ['@tensorflow/tfjs-layers', '@tensorflow/tfjs'] as const;

/**
 * Registers tfjs-core's gradients when they are missing, by loading the
 * first installed package of {@link PROVIDERS}. Returns where they came from:
 * `'already registered'`, a package name, or `undefined` when none could be
 * loaded (gradients then fail with tfjs' "gradient function not found").
 */
export function ensureGradients(): string | undefined {
  if (getGradient('Sum') !== undefined) return 'already registered';
  const require = createRequire(import.meta.url);
  for (const name of PROVIDERS) {
    try {
      require(name);
    } catch {
      continue;
    }
    if (getGradient('Sum') !== undefined) return name;
  }
  return undefined;
}
