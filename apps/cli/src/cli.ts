/**
 * The `contrastive` command.
 *
 *   contrastive list
 *   contrastive train <app> --preset <name> [--data <dir>] [--backend auto|tensorflow|webgpu|wasm|cpu]
 *                     [--threads <n>] [--out <dir>] [--resume <run>] [--set key=value ...]
 *   contrastive eval <run> [--backend ...] [--threads <n>] [--no-probe]
 *
 * `--threads` is the wasm backend's XNNPACK thread count (default: every core).
 *   contrastive bench [bench arguments]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BACKEND_REQUESTS, WASM_THREADS_ENV, type BackendRequest } from '@contrastive/backend';
import { assertInteger, assertOneOf, ContrastiveError } from '@contrastive/core';
import { evaluateRun, trainApp } from '@contrastive/app-kit';
import { listCheckpoints, NotFiniteLossError, openRun } from '@contrastive/train';
import { APPS } from './apps';

export const USAGE = `usage:
  contrastive list
  contrastive train <app> --preset <name> [--data <dir>] [--backend auto|tensorflow|webgpu|wasm|cpu]
                    [--threads <n>] [--out <dir>] [--resume <run>] [--set key=value ...]
  contrastive eval <run> [--backend auto|tensorflow|webgpu|wasm|cpu] [--threads <n>] [--no-probe]
  (--threads: wasm's XNNPACK threads, default every core)
  contrastive bench [--filter <substring>] [--backends wasm,webgpu,cpu] [--no-torch]`;

type Write = (line: string) => void;

/**
 * Runs `body` with the wasm thread count of `--threads` (validated, an integer
 * >= 1) as the default of `setBackend`, through CONTRASTIVE_WASM_THREADS, and
 * restores the environment afterwards. Without `--threads`: every core.
 */
async function withThreads<T>(command: string, threads: string | undefined, body: () => Promise<T>): Promise<T> {
  if (threads === undefined) return body();
  assertInteger(command, '--threads', Number(threads), 1);
  const saved = process.env[WASM_THREADS_ENV];
  process.env[WASM_THREADS_ENV] = String(Number(threads));
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env[WASM_THREADS_ENV];
    else process.env[WASM_THREADS_ENV] = saved;
  }
}

function appNamed(name: string | undefined) {
  assertOneOf('contrastive', 'app', name, Object.keys(APPS));
  return APPS[name as string]!;
}

function listApps(write: Write): void {
  for (const [name, app] of Object.entries(APPS)) {
    write(`${name}: ${app.title}`);
    for (const [preset, description] of Object.entries(app.presetDescriptions)) write(`  --preset ${preset.padEnd(20)} ${description}`);
  }
}

async function train(args: string[], write: Write): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      data: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      set: { type: 'string', multiple: true },
    },
  });
  if (values.backend !== undefined) assertOneOf('contrastive train', 'backend', values.backend, BACKEND_REQUESTS);
  let appName = positionals[0];
  if (values.resume !== undefined && appName === undefined) appName = (await openRun(values.resume)).info.app;
  const app = appNamed(appName);
  if (values.resume === undefined && values.preset === undefined) {
    throw new ContrastiveError('INVALID_ARGUMENT', `contrastive train: '--preset' must be one of ${Object.keys(app.presets).join(', ')}; got nothing`, {
      fn: 'contrastive train',
      argument: 'preset',
    });
  }
  try {
    const result = await withThreads('contrastive train', values.threads, () => trainApp(app, {
      ...(values.preset === undefined ? {} : { preset: values.preset }),
      sets: values.set ?? [],
      ...(values.data === undefined ? {} : { dataRoot: values.data }),
      ...(values.backend === undefined ? {} : { backend: values.backend as BackendRequest }),
      ...(values.out === undefined ? {} : { outDir: values.out }),
      ...(values.resume === undefined ? {} : { resume: values.resume }),
    }));
    write('');
    const raw = result.knnRawPixels;
    write(
      `kNN top-1 (weighted, test set): ${result.knn.top1.toFixed(2)}% trained vs ${result.knnRandomInit.top1.toFixed(2)}% for the same encoder at random init vs ${raw.top1.toFixed(2)}% on raw pixels`,
    );
    write(`  trained ${result.knn.top1 > raw.top1 ? 'beats' : 'does not beat'} raw pixels (${(result.knn.top1 - raw.top1 >= 0 ? '+' : '') + (result.knn.top1 - raw.top1).toFixed(2)} points; raw-pixel bank ${raw.bank}, queries ${raw.queries})`);
    if (result.linearProbe !== undefined) write(`linear probe top-1 (last epoch): ${result.linearProbe.top1.toFixed(2)}%`);
    write(`alignment ${result.alignment.toFixed(4)}, uniformity ${result.uniformity.toFixed(4)}; ${result.epochs} epochs in ${(result.seconds / 60).toFixed(1)} min on ${result.backend}`);
    write(`run folder: ${result.runDir}`);
    write(`report: ${result.reportPath}`);
  } catch (error) {
    if (error instanceof NotFiniteLossError && values.out !== undefined) {
      write(`checkpoints kept: ${(await listCheckpoints(join(values.out))).join(', ')}`);
    }
    throw error;
  }
}

async function evaluate(args: string[], write: Write): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { backend: { type: 'string' }, threads: { type: 'string' }, 'no-probe': { type: 'boolean' } },
  });
  const runDir = positionals[0];
  if (runDir === undefined) throw new ContrastiveError('INVALID_ARGUMENT', "contrastive eval: 'run' must be a run folder; got nothing", { fn: 'contrastive eval', argument: 'run' });
  if (values.backend !== undefined) assertOneOf('contrastive eval', 'backend', values.backend, BACKEND_REQUESTS);
  const app = appNamed((await openRun(runDir)).info.app);
  const result = await withThreads('contrastive eval', values.threads, () => evaluateRun(app, runDir, {
    ...(values.backend === undefined ? {} : { backend: values.backend as BackendRequest }),
    linearProbe: values['no-probe'] !== true,
  }));
  write(`${result.runDir} (checkpoint of epoch ${result.epoch})`);
  write(`kNN top-1 ${result.knn.top1.toFixed(2)}%, top-5 ${result.knn.top5.toFixed(2)}%`);
  if (result.knnRawPixels !== undefined) {
    write(`kNN on raw pixels top-1 ${result.knnRawPixels.top1.toFixed(2)}%, top-5 ${result.knnRawPixels.top5.toFixed(2)}% (bank ${result.knnRawPixels.bank}, queries ${result.knnRawPixels.queries})`);
  }
  if (result.linearProbe !== undefined) write(`linear probe top-1 (last epoch) ${result.linearProbe.top1.toFixed(2)}%`);
}

function bench(args: string[]): number {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const child = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'tools', 'bench', 'src', 'main.ts'), ...args], {
    stdio: 'inherit',
    cwd: root,
  });
  return child.status ?? 1;
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: readonly string[], write: Write = (l) => console.log(l)): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'list':
        listApps(write);
        return 0;
      case 'train':
        await train(rest, write);
        return 0;
      case 'eval':
        await evaluate(rest, write);
        return 0;
      case 'bench':
        return bench(rest);
      case undefined:
      case 'help':
      case '--help':
        write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        assertOneOf('contrastive', 'command', command, ['list', 'train', 'eval', 'bench', 'help']);
        return 2;
    }
  } catch (error) {
    if (error instanceof ContrastiveError) {
      write(`error [${error.code}]: ${error.message}`);
      if (error instanceof NotFiniteLossError) write('training stopped; the last good checkpoint is untouched (resume with --resume <run>)');
      return 1;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      write(`error [INVALID_ARGUMENT]: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}
