import { defineConfig } from 'vite';
import { workspaceAliases } from '../../vitest.shared';
import { imagesNeeded, WEB_JOB } from './src/job';
import { fashionMnistAsset } from './vite/fashion-mnist-asset';

export default defineConfig({
  // Workspace packages from their sources, as in the tests.
  resolve: { alias: workspaceAliases() },
  plugins: [fashionMnistAsset(imagesNeeded(WEB_JOB))],
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { port: 5173 },
});
