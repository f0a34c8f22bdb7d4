/**
 * Assembles a package's hand-written WebAssembly text with wabt (a dev
 * dependency) into a TypeScript module holding the bytes as base64, or with
 * `--check` only compares them (each package's test runs the check).
 *
 *   node tools/wasm/assemble-wat.mjs <file.wat> <out.ts> <CONSTANT_NAME> [--check]
 *
 * Each package that has WebAssembly text runs it as its `build:wasm` script
 * (`npm run build:wasm -w <package>`); its test runs `npm run build:wasm -- --check`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import createWabt from 'wabt';

/** The bytes of `watPath` (SIMD, threads and bulk memory enabled), base64. */
export async function assembleWat(watPath) {
  const wabt = await createWabt();
  const features = { simd: true, threads: true, bulk_memory: true };
  const module = wabt.parseWat(basename(watPath), readFileSync(watPath, 'utf8'), features);
  module.validate(features);
  const { buffer } = module.toBinary({});
  module.destroy();
  return Buffer.from(buffer).toString('base64');
}

/** The TypeScript module exporting `constant` = the base64 bytes. */
export function wasmModuleText(watName, constant, base64) {
  return [`/** ${watName} assembled (npm run build:wasm); do not edit. */`, `export const ${constant} =\n  '${base64}';`, ''].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [watPath, outPath, constant] = process.argv.slice(2);
  const text = wasmModuleText(basename(watPath), constant, await assembleWat(watPath));
  if (process.argv.includes('--check')) {
    if (readFileSync(outPath, 'utf8') !== text) throw new Error(`${outPath} is not ${basename(watPath)} assembled: run npm run build:wasm`);
  } else {
    writeFileSync(outPath, text);
  }
}
