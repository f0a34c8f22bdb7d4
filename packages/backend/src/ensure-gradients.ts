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
 * Gradients that only tfjs-core's registrations provide (this package
 * registers its own `Sum` and `Mean`, so those say nothing about the rest).
 */
const PROBES = ['Concat', 'BatchMatMul', 'Conv2D'] as const;

function registered(): boolean {
  return PROBES.every((name) => getGradient(name) !== undefined);
}

/**
 * Registers tfjs-core's gradients when they are missing, by loading the
 * first installed package of {@link PROVIDERS}. Returns where they came from:
 * `'already registered'`, a package name, or `undefined` when none could be
 * loaded (gradients then fail with tfjs' "gradient function not found").
 */
export function ensureGradients(): string | undefined {
  if (registered()) return 'already registered';
  const require = createRequire(import.meta.url);
  for (const name of PROVIDERS) {
    try {
      require(name);
    } catch {
      continue;
    }
    if (registered()) return name;
  }
  return undefined;
}
