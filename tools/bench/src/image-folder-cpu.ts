/**
 * The `data-loader/image-folder-views` comparison made robust to a shared
 * machine: ours and torchvision's, each in its own process, interleaved
 * (the order alternates by round), at each decode-thread count = DataLoader
 * worker count, several rounds; for every epoch the wall time and the CPU
 * seconds of the whole side (ours: `process.cpuUsage()`, process-wide, so the
 * libuv decode threads, libvips's threads and the JavaScript thread;
 * torchvision: its main process plus its worker processes, from
 * /proc/<pid>/stat). CPU per image is the figure a loaded machine barely
 * moves; wall time is only meaningful on an idle one. Linux only. Prints a
 * markdown table and one JSON line.
 *
 *   npx tsx tools/bench/src/image-folder-cpu.ts [--threads 1,2] [--rounds 3] [--epochs 3] [--crop-threads n]
 *
 * `--crop-threads` sets ImageFolder's `cropThreads` (default: as many crop
 * workers as decode threads; 0 cuts the views on the JavaScript thread, so
 * ours runs no thread beyond its decode threads and its JavaScript thread).
 *
 * Our side runs this file again with `--child` and UV_THREADPOOL_SIZE=<n>
 * (libuv reads it once at start), wasm with one XNNPACK thread, as the bench
 * case does.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setBackend } from '@contrastive/backend';
import { BATCH, EPOCH, FOLDER, STRIDE, ensurePhotoFolder, viewsEpochRunner } from './cases/image-folder-views';
import { median } from './timing';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env['BENCH_PYTHON'] ?? '/usr/bin/python3';

/** Wall seconds and CPU seconds of each timed epoch of one side. */
interface SideRuns {
  readonly runs: number[];
  readonly cpu: number[];
}

function option(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

/** Child: one warm-up epoch, then `epochs` timed ones; prints `{ runs, cpu }`. */
async function child(epochs: number, cropThreads: number | undefined): Promise<void> {
  await setBackend('wasm', { threads: 1 });
  const run = await viewsEpochRunner(cropThreads);
  await run();
  const result: SideRuns = { runs: [], cpu: [] };
  for (let e = 0; e < epochs; e++) {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await run();
    result.runs.push((performance.now() - start) / 1e3);
    const cpu = process.cpuUsage(cpu0);
    result.cpu.push((cpu.user + cpu.system) / 1e6);
  }
  console.log(JSON.stringify(result));
}

function lastJson(out: string): unknown {
  return JSON.parse(out.trim().split('\n').pop() ?? '');
}

function runOurs(threads: number, epochs: number, cropThreads: string | undefined): SideRuns {
  const crop = cropThreads === undefined ? [] : ['--crop-threads', cropThreads];
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', '--epochs', String(epochs), ...crop], {
    encoding: 'utf8',
    env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) },
    maxBuffer: 16 * 1024 * 1024,
  });
  return lastJson(out) as SideRuns;
}

function runTorchvision(workers: number, epochs: number): SideRuns {
  const script = join(HERE, '..', 'reference', 'image_folder_views.py');
  const out = execFileSync(PYTHON, [script, String(BATCH), String(workers), String(STRIDE), FOLDER, String(epochs)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', BENCH_TORCH_THREADS: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const parsed = lastJson(out) as { runs: number[]; cpu_seconds: number[] };
  return { runs: parsed.runs, cpu: parsed.cpu_seconds };
}

async function main(argv: string[]): Promise<void> {
  const epochs = Number(option(argv, '--epochs', '3'));
  const cropThreads = argv.includes('--crop-threads') ? option(argv, '--crop-threads', '') : undefined;
  if (argv.includes('--child')) return child(epochs, cropThreads === undefined ? undefined : Number(cropThreads));
  const threads = option(argv, '--threads', '1,2').split(',').map(Number);
  const rounds = Number(option(argv, '--rounds', '3'));
  await ensurePhotoFolder();
  const rows: { threads: number; round: number; first: string; ours: SideRuns; torch: SideRuns }[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const t of threads) {
      const oursFirst = round % 2 === 1;
      const torch = oursFirst ? undefined : runTorchvision(t, epochs);
      const ours = runOurs(t, epochs, cropThreads);
      rows.push({ threads: t, round, first: oursFirst ? 'ours' : 'torchvision', ours, torch: torch ?? runTorchvision(t, epochs) });
      const r = rows[rows.length - 1]!;
      const ms = (cpu: number[]): string => ((median(cpu) / EPOCH) * 1e3).toFixed(2);
      console.error(
        `threads ${t} round ${round}: ours ${median(r.ours.runs).toFixed(2)} s, ${ms(r.ours.cpu)} ms CPU/image; ` +
          `torchvision ${median(r.torch.runs).toFixed(2)} s, ${ms(r.torch.cpu)} ms CPU/image`,
      );
    }
  }
  const perImageMs = (cpu: number[]): number => (median(cpu) / EPOCH) * 1e3;
  console.log(`| threads = workers | round (first) | ours s/epoch | torchvision s/epoch | time ratio | ours CPU ms/image | torchvision CPU ms/image | CPU ratio |`);
  console.log(`| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of rows) {
    const [ow, tw] = [median(r.ours.runs), median(r.torch.runs)];
    const [oc, tc] = [perImageMs(r.ours.cpu), perImageMs(r.torch.cpu)];
    console.log(
      `| ${r.threads} | ${r.round} (${r.first}) | ${ow.toFixed(2)} | ${tw.toFixed(2)} | ${(ow / tw).toFixed(2)}x | ${oc.toFixed(2)} | ${tc.toFixed(2)} | ${(oc / tc).toFixed(2)}x |`,
    );
  }
  console.log(JSON.stringify({ epochImages: EPOCH, rows }));
}

await main(process.argv.slice(2));
