/**
 * Consumer tests (issue 15): every publishable package is built, packed with
 * `npm pack` and installed from its tarball into fresh projects outside the
 * workspace, then used as a user would: each loss family in an ES module and a
 * CommonJS program (value and gradient, tfjs-core + the cpu backend only),
 * each loss README's first example copied unchanged, `tsc` under nodenext,
 * node16 from CommonJS and bundler, publint and arethetypeswrong with no
 * problem reported, and `npm i @contrastive/loss-infonce` pulling only
 * @contrastive/core and the tfjs peer. Nothing here is skipped: a missing
 * tool, registry or build fails with a message saying what went wrong.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { formatMessage } from 'publint/utils';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonJsProgram, esmProgram, LOSS_FAMILIES, type FamilyResult } from './families';
import { closure, installedPackages, installProject, tfjsVersion } from './project';
import { firstCodeBlock } from './readme';
import { run, runNode } from './run';
import { exportSpecifiers, writeReadmeProject, writeTypeCheck, type ModuleMode } from './type-checks';
import { buildStale, pack, publishablePackages } from './workspace';

const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');

const packages = publishablePackages();
const lossPackages = packages.filter((p) => p.name.startsWith('@contrastive/loss-'));
const work = mkdtempSync(join(tmpdir(), 'contrastive-consumer-'));
const app = join(work, 'app');
const alone = join(work, 'infonce-alone');
const tarballs = new Map<string, string>();
let failed = false;

beforeAll(async () => {
  const built = await buildStale(packages);
  if (built.length > 0) console.log(`consumer test: built ${built.join(', ')} (dist was missing or older than its sources)`);
  const destination = join(work, 'tarballs');
  mkdirSync(destination, { recursive: true });
  const packed = await Promise.all(packages.map((pkg) => pack(pkg, destination)));
  packages.forEach((pkg, i) => tarballs.set(pkg.name, packed[i]!));
  const tfjs = tfjsVersion();
  await installProject(app, [
    ...tarballs.values(),
    `@tensorflow/tfjs-core@${tfjs}`,
    `@tensorflow/tfjs-backend-cpu@${tfjs}`,
  ]);
}, 900_000);

afterAll(() => {
  if (failed) console.log(`consumer test: the projects are kept in ${work} for inspection`);
  else rmSync(work, { recursive: true, force: true });
});

/** Marks the run failed (the temporary projects are then kept) and rethrows. */
async function step<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    failed = true;
    throw error;
  }
}

describe('every loss family from the installed tarballs, ESM and CommonJS', () => {
  const results: { esm: Record<string, unknown>; cjs: Record<string, unknown> } = { esm: {}, cjs: {} };
  beforeAll(async () => {
    await step(async () => {
      writeFileSync(join(app, 'families.mjs'), esmProgram(LOSS_FAMILIES));
      writeFileSync(join(app, 'families.cjs'), commonJsProgram(LOSS_FAMILIES));
      const [esm, cjs] = await Promise.all([runNode('families.mjs', app), runNode('families.cjs', app)]);
      results.esm = JSON.parse(esm.stdout) as Record<string, unknown>;
      results.cjs = JSON.parse(cjs.stdout) as Record<string, unknown>;
    });
  }, 300_000);

  for (const family of LOSS_FAMILIES) {
    it(`${family.label} (${family.pkg}): value and gradient, the same from import and require`, () =>
      step(async () => {
        const a = results.esm[family.label] as FamilyResult & { error?: string };
        const b = results.cjs[family.label] as FamilyResult & { error?: string };
        expect(a?.error, `${family.label} as an ES module threw`).toBeUndefined();
        expect(b?.error, `${family.label} from CommonJS threw`).toBeUndefined();
        expect(Number.isFinite(a.value), `${family.label}: loss ${a.value}`).toBe(true);
        expect(a.shape).toEqual([8, 16]);
        expect(a.grad.every(Number.isFinite), `${family.label}: gradient has non-finite entries`).toBe(true);
        expect(a.grad.some((g) => g !== 0), `${family.label}: gradient is all zeros`).toBe(true);
        expect(b, `${family.label}: CommonJS result differs from the ES module's`).toEqual(a);
        if (family.notFullDerivative === undefined) {
          const tolerance = 2e-2 * Math.max(1, Math.abs(a.centralDifference));
          expect(
            Math.abs(a.directional - a.centralDifference),
            `${family.label}: <grad, d> = ${a.directional} but the central difference is ${a.centralDifference}`,
          ).toBeLessThanOrEqual(tolerance);
        }
      }));
  }
});

describe('each loss README: its first example, copied unchanged, compiles (nodenext, with every export imported) and runs', () => {
  const outputs = new Map<string, Promise<string>>();
  beforeAll(async () => {
    await step(async () => {
      const examples = new Map<string, string>();
      for (const pkg of lossPackages) {
        const readme = readFileSync(join(app, 'node_modules', pkg.name, 'README.md'), 'utf8');
        const block = firstCodeBlock(readme);
        if (block === undefined) throw new Error(`consumer test: the README of ${pkg.name} has no ts/js code block`);
        examples.set(basename(pkg.name), block.code);
      }
      const dir = join(app, 'readme');
      writeTypeCheck(dir, 'nodenext', exportSpecifiers(packages));
      await run(process.execPath, [TSC, '-p', writeReadmeProject(dir, examples, ['nodenext/imports.mts'])], app);
      for (const name of examples.keys()) outputs.set(name, runNode(join(dir, 'out', `${name}.mjs`), app).then((r) => r.stdout));
      // Settle every run before the tests read them, so none is left unhandled.
      await Promise.allSettled(outputs.values());
    });
  }, 300_000);

  for (const pkg of lossPackages) {
    it(`${pkg.name}: the example takes a gradient with tfjs-core and the cpu backend only`, () =>
      step(async () => {
        const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
        const code = firstCodeBlock(readme)?.code ?? '';
        expect(code, `${pkg.name}: the README's first example should take a gradient`).toMatch(/tf\.(valueAndGrad|grad|grads|variableGrads)\(/);
        expect(code).toContain("from '@tensorflow/tfjs-core'");
        const stdout = await outputs.get(basename(pkg.name))!;
        expect(stdout, `${pkg.name}: the example printed nothing`).not.toBe('');
        expect(stdout).not.toMatch(/NaN|Infinity/);
      }));
  }
});

describe('TypeScript resolves every package and subpath export', () => {
  for (const mode of ['node16-cjs', 'bundler'] as ModuleMode[]) {
    it(`tsc --noEmit, ${mode} (nodenext: with the README examples above)`, () =>
      step(async () => {
        const config = writeTypeCheck(app, mode, exportSpecifiers(packages));
        await run(process.execPath, [TSC, '-p', config], app);
      }));
  }
});

describe('publint: no problem (errors, warnings or suggestions) in any tarball', () => {
  for (const pkg of packages) {
    it(pkg.name, () =>
      step(async () => {
        const tarball = readFileSync(tarballs.get(pkg.name)!);
        const { messages, pkg: manifest } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) }, strict: true });
        const report = messages.map((m) => `${m.type}: ${formatMessage(m, manifest, { color: false }) ?? m.code}`);
        expect(report, `publint on ${basename(tarballs.get(pkg.name)!)}`).toEqual([]);
      }));
  }
});

describe('arethetypeswrong (strict profile: node10, node16 from CJS and ESM, bundler): no problem in any tarball', () => {
  for (const pkg of packages) {
    it(pkg.name, () =>
      step(async () => {
        const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(readFileSync(tarballs.get(pkg.name)!))));
        expect(analysis.types, `${pkg.name} ships no types`).not.toBe(false);
        const problems = 'problems' in analysis ? analysis.problems : [];
        const report = problems.map((p) => {
          const where = 'entrypoint' in p ? ` at '${p.entrypoint}' (${p.resolutionKind})` : 'fileName' in p ? ` in ${p.fileName}` : '';
          return `${p.kind}${where}`;
        });
        expect(report, `arethetypeswrong on ${basename(tarballs.get(pkg.name)!)} (see https://arethetypeswrong.github.io)`).toEqual([]);
      }));
  }
});

describe('npm i @contrastive/loss-infonce', () => {
  it('pulls nothing beyond @contrastive/core and the tfjs-core peer (and its own dependencies)', () =>
    step(async () => {
      await installProject(alone, [tarballs.get('@contrastive/loss-infonce')!, tarballs.get('@contrastive/core')!]);
      const installed = installedPackages(alone);
      const peer = closure(installed, ['@tensorflow/tfjs-core']);
      expect(peer.has('@tensorflow/tfjs-core'), 'npm installed the tfjs-core peer').toBe(true);
      const extra = [...installed.keys()].filter((name) => !peer.has(name)).sort();
      expect(extra).toEqual(['@contrastive/core', '@contrastive/loss-infonce']);
    }));
});
