/**
 * Assembles src/wasm-threads/heap-passes.wat into src/wasm-threads/heap-passes-wasm.ts with the
 * shared assembler (tools/wasm/assemble-wat.mjs); `--check` only compares
 * them (heap-workers.test.ts runs the check).
 *
 *   npm run build:wasm -w @contrastive/backend
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const run = spawnSync(
  process.execPath,
  [
    join(here, '../../../tools/wasm/assemble-wat.mjs'),
    join(here, '../src/wasm-threads/heap-passes.wat'),
    join(here, '../src/wasm-threads/heap-passes-wasm.ts'),
    'HEAP_PASSES_WASM_BASE64',
    'scripts/build-wasm.mjs',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
