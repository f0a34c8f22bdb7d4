/**
 * `npm run bench [-- --filter <substring>] [--backends wasm,cpu] [--no-torch] [--out dir]`
 *
 * Runs every case of src/cases on each of its backends, times it, runs the
 * PyTorch reference once per case, prints a markdown table and writes JSON +
 * markdown to bench-results/.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setBackend } from '@contrastive/backend';
import { median, timeRuns } from './timing';
import { runTorch, torchAvailable } from './torch';
import { toMarkdown, writeResults } from './report';
import type { BenchBackend, BenchCase, BenchResult } from './types';

interface Args {
  filter: string[];
  backends: BenchBackend[] | undefined;
  torch: boolean;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { filter: [], backends: undefined, torch: true, out: 'bench-results' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--filter') args.filter.push(argv[++i] ?? '');
    else if (a === '--backends') args.backends = (argv[++i] ?? '').split(',') as BenchBackend[];
    else if (a === '--no-torch') args.torch = false;
    else if (a === '--out') args.out = argv[++i] ?? args.out;
    else throw new Error(`bench: unknown argument ${a}`);
  }
  return args;
}

async function loadCases(): Promise<BenchCase[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'cases');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
  const cases: BenchCase[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { cases?: BenchCase[] };
    cases.push(...(mod.cases ?? []));
  }
  return cases;
}

async function runCase(c: BenchCase, backend: BenchBackend, torchSeconds: number | undefined): Promise<BenchResult> {
  const base = { name: c.name, description: c.description, backend };
  try {
    await setBackend(backend, { threads: c.threads ?? 1 });
    const prepared = await c.setup(backend);
    let runs: number[];
    let counters: Record<string, number> | undefined;
    try {
      runs = await timeRuns(prepared, c.warmup ?? 1, c.repeats ?? 5);
      counters = prepared.counters?.();
    } finally {
      prepared.dispose();
    }
    const seconds = median(runs);
    const result: BenchResult = { ...base, seconds, runs, ...(counters === undefined ? {} : { counters }) };
    if (backend === 'wasm') result.threads = c.threads ?? 1;
    if (torchSeconds !== undefined) {
      result.torchSeconds = torchSeconds;
      result.torchThreads = c.torch?.threads ?? 1;
      result.ratio = seconds / torchSeconds;
    }
    if (c.items !== undefined) {
      result.unit = c.items.unit;
      result.itemsPerSecond = c.items.count / seconds;
      if (torchSeconds !== undefined) result.torchItemsPerSecond = c.items.count / torchSeconds;
    }
    return result;
  } catch (error) {
    if (process.env["BENCH_DEBUG"]) console.error(error);
    return { ...base, seconds: NaN, runs: [], error: error instanceof Error ? error.message : String(error) };
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const all = await loadCases();
  const selected = all.filter((c) => args.filter.length === 0 || args.filter.some((f) => c.name.includes(f)));
  const useTorch = args.torch && torchAvailable();
  console.log(`${selected.length} cases; PyTorch reference: ${useTorch ? 'yes (1 thread)' : 'not available'}`);
  const results: BenchResult[] = [];
  for (const c of selected) {
    let torchSeconds: number | undefined;
    if (useTorch && c.torch !== undefined) {
      try {
        torchSeconds = runTorch(c.torch.script, c.torch.args, c.torch.threads);
      } catch (error) {
        console.warn(`${c.name}: PyTorch reference failed: ${error instanceof Error ? error.message : error}`);
      }
    }
    for (const backend of c.backends ?? ['wasm']) {
      if (args.backends !== undefined && !args.backends.includes(backend)) continue;
      const r = await runCase(c, backend, torchSeconds);
      results.push(r);
      const ratio = r.ratio === undefined ? '' : `  ratio ${r.ratio.toFixed(2)}x`;
      const counts = r.counters === undefined ? '' : `  ${Object.entries(r.counters).map(([k, v]) => `${k} ${v}`).join(', ')}`;
      console.log(`${r.name} [${backend}] ${r.error ?? `${(r.seconds * 1000).toFixed(1)} ms`}${ratio}${counts}`);
      tf.disposeVariables();
    }
  }
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    tfjs: tf.version_core,
    cpus: (await import('node:os')).cpus().length,
    torch: useTorch,
  };
  const paths = writeResults(results, meta, args.out);
  console.log('\n' + toMarkdown(results, `# Benchmarks (${meta.date})`));
  console.log(`written: ${paths.json}, ${paths.md}`);
}

await main();
