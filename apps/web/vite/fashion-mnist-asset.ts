/**
 * Serves the embedded Fashion-MNIST to the page: a vite plugin that reads it
 * with `@contrastive/fashion-mnist`'s `loadFashionMnistBytes` (in Node, at
 * dev-server start or build) and hands the browser only the images the job
 * uses, as raw bytes:
 * `fashion-mnist/<split>-<count>.u8` = count x 784 pixels, then count labels,
 * for the first `count` images of the split (a balanced prefix: the dataset
 * interleaves classes), and `fashion-mnist/classes.json`.
 */
import { runnerImport, type Plugin } from 'vite';
import { workspaceAliases } from '../../../vitest.shared';

type FashionMnistModule = typeof import('@contrastive/fashion-mnist');

/**
 * `@contrastive/fashion-mnist` from its sources (vite's module runner with the
 * workspace aliases), so neither `npm run web` nor the browser tests need the
 * packages built first.
 */
async function fashionMnistModule(): Promise<FashionMnistModule> {
  const { module } = await runnerImport<FashionMnistModule>('@contrastive/fashion-mnist', {
    configFile: false,
    logLevel: 'error',
    resolve: { alias: workspaceAliases() },
  });
  return module;
}

/** URL path (under the page's base) of a split's first `count` images. */
export function fashionMnistPath(split: 'train' | 'test', count: number): string {
  return `fashion-mnist/${split}-${count}.u8`;
}

async function splitBytes(split: 'train' | 'test', count: number): Promise<{ bytes: Uint8Array; classNames: readonly string[] }> {
  const { loadFashionMnistBytes } = await fashionMnistModule();
  const { images, labels, classNames } = await loadFashionMnistBytes({ split });
  const n = Math.min(count, labels.length);
  const pixels = images.length / labels.length;
  const bytes = new Uint8Array(n * (pixels + 1));
  bytes.set(images.subarray(0, n * pixels), 0);
  bytes.set(Uint8Array.from(labels.subarray(0, n)), n * pixels);
  return { bytes, classNames };
}

/** The plugin; `counts` are the images of each split the page fetches. */
export function fashionMnistAsset(counts: { train: number; test: number }): Plugin {
  const files = new Map<string, Promise<Uint8Array>>();
  let classNames: Promise<string> | undefined;
  const load = () => {
    if (files.size === 0) {
      for (const split of ['train', 'test'] as const) {
        const part = splitBytes(split, counts[split]);
        files.set(fashionMnistPath(split, counts[split]), part.then((p) => p.bytes));
        classNames ??= part.then((p) => JSON.stringify(p.classNames));
      }
      files.set('fashion-mnist/classes.json', classNames!.then((text) => new TextEncoder().encode(text)));
    }
    return files;
  };
  return {
    name: 'contrastive-fashion-mnist',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0]!.replace(/^\//, '');
        const file = load().get(path);
        if (file === undefined) return next();
        file.then(
          (bytes) => {
            res.setHeader('Content-Type', path.endsWith('.json') ? 'application/json' : 'application/octet-stream');
            res.end(bytes);
          },
          (error: unknown) => next(error),
        );
      });
    },
    async generateBundle() {
      for (const [fileName, bytes] of load()) this.emitFile({ type: 'asset', fileName, source: await bytes });
    },
  };
}
