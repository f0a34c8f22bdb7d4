/**
 * Bundles a package entry the way a browser app's bundler does (esbuild,
 * `platform: 'browser'`, which honours the `browser` field and fails on any
 * import it cannot resolve there, such as `node:module`), with workspace
 * packages taken from their sources. Used by the tests of the Node-free
 * entries (`@contrastive/backend/browser`, `@contrastive/train/optim`).
 */
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** `@contrastive/<name>` and `@contrastive/<name>/<entry>` from `packages/<name>/src`. */
const workspaceSources: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@contrastive\/[a-z0-9-]+(\/[a-z0-9-]+)?$/ }, (args) => {
      const [, name, entry] = /^@contrastive\/([a-z0-9-]+)(?:\/([a-z0-9-]+))?$/.exec(args.path)!;
      const path = join(root, 'packages', name!, 'src', `${entry ?? 'index'}.ts`);
      return existsSync(path) ? { path } : undefined;
    });
  },
};

/** What a browser bundle of an entry holds. */
export interface BrowserBundle {
  /** Bundled source files (relative to the workspace root or node_modules). */
  readonly inputs: readonly string[];
  /** Node builtins anything in the bundle imports (empty for a browser-safe entry). */
  readonly nodeBuiltins: readonly string[];
  /** Bytes of the bundle. */
  readonly bytes: number;
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function builtinsOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) if (BUILTINS.has(imported.path) || imported.path.startsWith('node:')) found.add(imported.path);
  }
  return [...found].sort();
}

/**
 * Bundles `entry` (a path relative to the workspace root) for the browser.
 * Rejects with esbuild's errors when something does not resolve there.
 */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [workspaceSources],
  });
  return {
    inputs: Object.keys(result.metafile.inputs),
    nodeBuiltins: builtinsOf(result.metafile),
    bytes: result.outputFiles.reduce((s, f) => s + f.contents.byteLength, 0),
  };
}
