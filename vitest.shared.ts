/**
 * Vitest settings shared by every project of the workspace. Each project's
 * `vitest.config.ts` re-exports this, so `vitest run` inside a package and
 * `nx run <pkg>:test` behave alike. Workspace imports resolve to sources.
 */
import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/** Workspace imports to their sources (also used by apps/web's vite config). */
export function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [
    {
      find: /^@contrastive\/test-utils\/(.+)$/,
      replacement: join(root, 'tools/test-utils/src/$1.ts'),
    },
  ];
  const folders: [string, string][] = [
    ['packages', ''],
    ['tools', ''],
    ['apps', 'app-'],
  ];
  for (const [folder, prefix] of folders) {
    const dir = join(root, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const entry = join(dir, name, 'src/index.ts');
      if (!existsSync(entry)) continue;
      aliases.push({ find: new RegExp(`^@contrastive/${prefix}${name}$`), replacement: entry });
      // Subpath entries (`@contrastive/backend/browser`, `@contrastive/train/optim`): src/<entry>.ts.
      aliases.push({ find: new RegExp(`^@contrastive/${prefix}${name}/([a-z0-9-]+)$`), replacement: join(dir, name, 'src/$1.ts') });
    }
  }
  return aliases;
}

export default defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: [join(root, 'tools/test-utils/src/setup-gradients.ts')],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    passWithNoTests: false,
    // A JSON summary per project; tools/test-summary.mjs adds them up after `npm test`.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
