/**
 * tfjs-core's Node bundle has no gradient definitions: with tfjs-core and a
 * backend alone, `tf.grad` through `concat` fails. These tests build the
 * package's Node registration (`dist/register-gradients.node.*`) with the
 * package's own tsup config into a temporary folder and run plain Node child
 * processes (no vite, no tfjs-layers), as a user's program would.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import configs from '../tsup.config';

const run = promisify(execFile);
const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const tfjsCore = require.resolve('@tensorflow/tfjs-core');
const tfjsCpu = require.resolve('@tensorflow/tfjs-backend-cpu');

/**
 * d/dx_ab of sum(concat([x, x @ x], 1)) = 1 + rowSum(x)_b + colSum(x)_a; for x = [[1, 2], [3, 4]]
 * the row sums are [3, 7] and the column sums [4, 6].
 */
const EXPECTED = [1 + 3 + 4, 1 + 7 + 4, 1 + 3 + 6, 1 + 7 + 6];

/** A program that takes that gradient on cpu and prints it as JSON; `register` is loaded after tfjs. */
function program(format: 'esm' | 'cjs', register?: string): string {
  const load = (path: string): string =>
    format === 'esm' ? `await import(${JSON.stringify(pathToFileURL(path).href)});` : `require(${JSON.stringify(path)});`;
  const body = [
    format === 'esm' ? `const tf = await import(${JSON.stringify(pathToFileURL(tfjsCore).href)});` : `const tf = require(${JSON.stringify(tfjsCore)});`,
    load(tfjsCpu),
    register === undefined ? '' : load(register),
    `await tf.setBackend('cpu');`,
    `const x = tf.tensor2d([[1, 2], [3, 4]]);`,
    `const g = tf.grad((a) => tf.sum(tf.concat([a, tf.matMul(a, a)], 1)))(x);`,
    `process.stdout.write(JSON.stringify(Array.from(await g.data())));`,
  ].join('\n');
  return format === 'esm' ? body : `(async () => {\n${body}\n})().catch((e) => { console.error(e.message); process.exit(1); });`;
}

async function node(file: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [file], { timeout: 60_000 });
    return { ok: true, out: stdout };
  } catch (error) {
    return { ok: false, out: String((error as { stderr?: string }).stderr ?? error) };
  }
}

describe('tfjs-core gradients in plain Node', () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'contrastive-gradients-'));
    const nodeBuild = (configs as Options[]).find(
      (c) => typeof c.entry === 'object' && !Array.isArray(c.entry) && 'register-gradients.node' in c.entry,
    );
    expect(nodeBuild, 'tsup.config.ts builds register-gradients.node').toBeDefined();
    const entry = { 'register-gradients.node': join(packageDir, 'src/register-gradients.ts') };
    await build({ ...nodeBuild, entry, outDir: dir, config: false, silent: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are missing with tfjs-core and a backend alone (what the registration fixes)', async () => {
    const file = join(dir, 'without.mjs');
    writeFileSync(file, program('esm'));
    const result = await node(file);
    expect(result.ok).toBe(false);
    expect(result.out).toMatch(/Cannot compute gradient: gradient function not found for (Sum|Concat)/);
  });

  it('are registered by the ESM build', async () => {
    const file = join(dir, 'with.mjs');
    writeFileSync(file, program('esm', join(dir, 'register-gradients.node.js')));
    const result = await node(file);
    expect(result.out).toBe(JSON.stringify(EXPECTED));
  });

  it('are registered by the CommonJS build', async () => {
    const file = join(dir, 'with.cjs');
    writeFileSync(file, program('cjs', join(dir, 'register-gradients.node.cjs')));
    const result = await node(file);
    expect(result.out).toBe(JSON.stringify(EXPECTED));
  });

  it('are what the package entry imports, under every condition, and bundlers keep them', () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      imports: Record<string, { node: { import: string; require: string }; default: string }>;
      sideEffects: string[];
    };
    const target = pkg.imports['#register-gradients']!;
    expect(target.node).toEqual({
      import: './dist/register-gradients.node.js',
      require: './dist/register-gradients.node.cjs',
    });
    expect(target.default).toBe('./dist/register-gradients.js');
    expect(pkg.sideEffects).toEqual(expect.arrayContaining([target.default, target.node.import, target.node.require]));
    expect(readFileSync(join(packageDir, 'src/published-entry.ts'), 'utf8')).toMatch(/^import '#register-gradients';$/m);
  });
});
