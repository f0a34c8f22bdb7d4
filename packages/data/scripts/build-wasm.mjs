/**
 * Assembles src/pil-resample.wat with wabt (a dev dependency) and writes its
 * bytes, base64, to src/pil-resample-wasm.ts. `--check` only compares them
 * (pil-resample-wasm.test.ts runs the same comparison).
 *
 *   npm run build:wasm -w @contrastive/data
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import createWabt from 'wabt';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

export async function assemble() {
  const wabt = await createWabt();
  const module = wabt.parseWat('pil-resample.wat', readFileSync(join(src, 'pil-resample.wat'), 'utf8'), { simd: true });
  module.validate();
  const { buffer } = module.toBinary({});
  module.destroy();
  return Buffer.from(buffer).toString('base64');
}

export function moduleText(base64) {
  return [
    '/** pil-resample.wat assembled (scripts/build-wasm.mjs); do not edit. */',
    `export const PIL_RESAMPLE_WASM_BASE64 =\n  '${base64}';`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = moduleText(await assemble());
  const path = join(src, 'pil-resample-wasm.ts');
  if (process.argv.includes('--check')) {
    if (readFileSync(path, 'utf8') !== text) throw new Error(`${path} is not pil-resample.wat assembled: run npm run build:wasm -w @contrastive/data`);
  } else {
    writeFileSync(path, text);
  }
}
