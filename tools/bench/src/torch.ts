/**
 * Runs a PyTorch reference script with /usr/bin/python3 (Debian's
 * python3-torch) when it is present. Scripts print one JSON line
 * `{"seconds": <median seconds per run>}` and use one thread unless told
 * otherwise (`threads`, passed as BENCH_TORCH_THREADS to reference/timing.py).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REFERENCE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'reference');
const PYTHON = process.env['BENCH_PYTHON'] ?? '/usr/bin/python3';

let available: boolean | undefined;

/** True when python3 can import torch. */
export function torchAvailable(): boolean {
  if (available === undefined) {
    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    available = probe.status === 0;
  }
  return available;
}

/** Median seconds per run of a reference script, or undefined without torch. */
export function runTorch(script: string, args: readonly string[] = [], threads = 1): number | undefined {
  if (!torchAvailable()) return undefined;
  const out = execFileSync(PYTHON, [join(REFERENCE_DIR, script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), BENCH_TORCH_THREADS: String(threads) },
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = out.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line) as { seconds?: unknown };
  if (typeof parsed.seconds !== 'number') throw new Error(`${script} printed no seconds: ${line}`);
  return parsed.seconds;
}
