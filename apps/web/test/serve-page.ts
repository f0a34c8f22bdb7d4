/**
 * Builds apps/web (vite, with its Fashion-MNIST plugin) into a temporary
 * folder and serves it with `vite preview` on a free port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const APP_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServedPage {
  readonly url: string;
  close(): Promise<void>;
}

export async function buildAndServe(): Promise<ServedPage> {
  const outDir = mkdtempSync(join(tmpdir(), 'contrastive-web-'));
  // Unminified, without gzip sizes: the test checks the page, not its size.
  await build({ root: APP_ROOT, logLevel: 'warn', build: { outDir, minify: false, reportCompressedSize: false, emptyOutDir: true } });
  const server = await preview({ root: APP_ROOT, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview reported no URL');
  return {
    url,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
