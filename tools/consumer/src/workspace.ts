/**
 * The workspace's publishable packages (packages/* without `"private": true`),
 * built and packed as `npm publish` would ship them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './run';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface WorkspacePackage {
  /** `@contrastive/<folder>`. */
  name: string;
  dir: string;
  manifest: {
    name: string;
    version: string;
    exports?: Record<string, unknown>;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
}

export function publishablePackages(): WorkspacePackage[] {
  const base = join(ROOT, 'packages');
  const out: WorkspacePackage[] = [];
  for (const folder of readdirSync(base).sort()) {
    const file = join(base, folder, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as WorkspacePackage['manifest'] & { private?: boolean };
    if (manifest.private === true) continue;
    out.push({ name: manifest.name, dir: join(base, folder), manifest });
  }
  return out;
}

/** Newest modification time of the files a build reads (sources, manifest, build config). */
function newestInput(dir: string): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else if (!path.endsWith('.test.ts')) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  visit(join(dir, 'src'));
  for (const file of ['package.json', 'tsup.config.ts', '../../tsup.shared.ts']) {
    if (existsSync(join(dir, file))) newest = Math.max(newest, statSync(join(dir, file)).mtimeMs);
  }
  return newest;
}

/** True when `dist/` is missing or older than an input (nx's `^build` normally ran first). */
export function needsBuild(pkg: WorkspacePackage): boolean {
  const marker = join(pkg.dir, 'dist', 'index.js');
  return !existsSync(marker) || statSync(marker).mtimeMs < newestInput(pkg.dir);
}

/** Builds the packages whose dist is missing or stale (tsup, one at a time: the machine may be small). */
export async function buildStale(packages: readonly WorkspacePackage[]): Promise<string[]> {
  const stale = packages.filter(needsBuild);
  for (const pkg of stale) await run(process.execPath, [join(ROOT, 'node_modules/tsup/dist/cli-default.js')], pkg.dir);
  return stale.map((p) => p.name);
}

/** `npm pack` of one package into `destination`; returns the tarball's path. */
export async function pack(pkg: WorkspacePackage, destination: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], pkg.dir);
  const [info] = JSON.parse(stdout) as { filename: string }[];
  if (info === undefined) throw new Error(`consumer test: npm pack of ${pkg.name} printed no file name:\n${stdout}`);
  return join(destination, info.filename);
}
