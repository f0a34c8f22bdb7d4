/**
 * TypeScript projects inside the consumer project: every package and subpath
 * export imported under `nodenext` (ES module), `node16` from a CommonJS file
 * and `bundler`, the way a user's tsconfig would resolve them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkspacePackage } from './workspace';

export type ModuleMode = 'nodenext' | 'node16-cjs' | 'bundler';

/** Every import specifier the packages export (`name` and `name/<subpath>`, not package.json). */
export function exportSpecifiers(packages: readonly WorkspacePackage[]): string[] {
  const out: string[] = [];
  for (const pkg of packages) {
    for (const key of Object.keys(pkg.manifest.exports ?? { '.': null })) {
      if (key === './package.json') continue;
      out.push(key === '.' ? pkg.name : `${pkg.name}/${key.replace(/^\.\//, '')}`);
    }
  }
  return out;
}

const COMPILER_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2022', 'DOM'],
  strict: true,
  types: [],
  // Our declarations are checked by arethetypeswrong; tfjs-layers' own do not pass `strict`.
  skipLibCheck: true,
  noEmit: true,
};

/**
 * Writes `<dir>/<mode>/` with a file importing every specifier and its
 * tsconfig; returns the tsconfig's path (the nodenext file is also compiled
 * with the README examples, see {@link writeReadmeProject}).
 */
export function writeTypeCheck(dir: string, mode: ModuleMode, specifiers: readonly string[]): string {
  const folder = join(dir, mode);
  mkdirSync(folder, { recursive: true });
  const file = mode === 'nodenext' ? 'imports.mts' : mode === 'node16-cjs' ? 'imports.cts' : 'imports.ts';
  const lines = specifiers.map((s, i) => `import * as m${i} from '${s}';`);
  lines.push(`export const modules = [${specifiers.map((_, i) => `m${i}`).join(', ')}];`);
  writeFileSync(join(folder, file), `${lines.join('\n')}\n`);
  const module =
    mode === 'bundler'
      ? { module: 'ESNext', moduleResolution: 'Bundler' }
      : mode === 'nodenext'
        ? { module: 'NodeNext', moduleResolution: 'NodeNext' }
        : { module: 'Node16', moduleResolution: 'Node16' };
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...COMPILER_OPTIONS, ...module }, files: [file] }, null, 2),
  );
  return join(folder, 'tsconfig.json');
}

/**
 * A nodenext project that compiles the README examples (`<name>.mts`) to
 * `out/<name>.mjs`, with `extraFiles` (paths relative to `dir`) checked too.
 */
export function writeReadmeProject(dir: string, examples: ReadonlyMap<string, string>, extraFiles: readonly string[] = []): string {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [...extraFiles];
  for (const [name, code] of examples) {
    writeFileSync(join(dir, `${name}.mts`), code);
    files.push(`${name}.mts`);
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      { compilerOptions: { ...COMPILER_OPTIONS, module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: false, outDir: 'out', rootDir: '.' }, files },
      null,
      2,
    ),
  );
  return join(dir, 'tsconfig.json');
}
