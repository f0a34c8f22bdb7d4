/**
 * One tsup factory for every publishable package: ESM + CJS + declarations,
 * ES2022, dependencies and peer dependencies left external.
 */
import { defineConfig, type Options } from 'tsup';

export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    treeshake: true,
    ...overrides,
  });
}
