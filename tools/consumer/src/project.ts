/** Fresh npm projects outside the workspace, installed from tarballs as a user would. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './workspace';
import { run } from './run';

/** The tfjs version the workspace is tested with (the peers' version the consumer installs). */
export function tfjsVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')) as { version: string }).version;
}

/** The environment without the npm_* variables of an enclosing `npm test` (workspace, prefix, ...). */
export function cleanNpmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return env;
}

/**
 * Creates `dir` with a package.json and runs `npm install` of `specs`
 * (tarball paths or registry specs). The registry is used for what the
 * tarballs do not hold (tfjs and third-party dependencies), preferring npm's
 * cache.
 */
export async function installProject(dir: string, specs: readonly string[], type: 'module' | 'commonjs' = 'module'): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'contrastive-consumer', private: true, type }, null, 2)}\n`);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], dir, {
    timeoutMs: 300_000,
    env: { ...cleanNpmEnv(), npm_config_update_notifier: 'false' },
  });
}

/** Installed packages of a project (`node_modules/...` paths of its lock file), by package name. */
export function installedPackages(dir: string): Map<string, { dependencies: string[] }> {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; link?: boolean }>;
  };
  const out = new Map<string, { dependencies: string[] }>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '') continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const dependencies = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {})];
    const known = out.get(name);
    out.set(name, { dependencies: [...new Set([...(known?.dependencies ?? []), ...dependencies])] });
  }
  return out;
}

/** `names` and everything they depend on, transitively, among `installed`. */
export function closure(installed: Map<string, { dependencies: string[] }>, names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...names];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name) || !installed.has(name)) continue;
    seen.add(name);
    stack.push(...installed.get(name)!.dependencies);
  }
  return seen;
}
