import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared';

/** The gradient registration builds write next to the entry; the entry's clean leaves them alone. */
const KEEP_GRADIENT_BUILDS = ['!register-gradients*'];

export default [
  // dist/index.{js,cjs,d.ts,d.cts}: the package entry, which imports `#register-gradients` (package.json "imports").
  packageBuild({
    entry: { index: 'src/published-entry.ts' },
    external: ['#register-gradients'],
    clean: KEEP_GRADIENT_BUILDS,
  }),
  // dist/register-gradients.node.{js,cjs}: tfjs-core's gradient modules bundled in, for plain Node.
  defineConfig({
    entry: { 'register-gradients.node': 'src/register-gradients.ts' },
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'es2022',
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
    dts: false,
    sourcemap: false,
    clean: false,
  }),
  // dist/register-gradients.js: the import of tfjs-core's module kept as is, for bundlers.
  defineConfig({
    entry: { 'register-gradients': 'src/register-gradients.ts' },
    format: ['esm'],
    target: 'es2022',
    dts: false,
    sourcemap: false,
    clean: false,
  }),
];
