/**
 * Assembles src/pil-resample.wat into src/pil-resample-wasm.ts with the
 * shared assembler (tools/wasm/assemble-wat.mjs); `--check` only compares
 * them (pil-resample.test.ts runs the check).
 *
 *   npm run build:wasm -w @contrastive/data
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const run = spawnSync(
  process.execPath,
  [
    join(here, '../../../tools/wasm/assemble-wat.mjs'),
    join(here, '../src/pil-resample.wat'),
    join(here, '../src/pil-resample-wasm.ts'),
    'PIL_RESAMPLE_WASM_BASE64',
    'scripts/build-wasm.mjs',
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
