/**
 * Whether this machine has a WebGPU adapter, found once per test process by
 * a child Node process (so a driver that crashes cannot take the test runner
 * with it) and shared with child processes through the environment.
 */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WebGpuStatus {
  readonly available: boolean;
  /** The adapter (`vendor device (architecture)`) or why there is none. */
  readonly detail: string;
}

const ENV_KEY = 'CONTRASTIVE_WEBGPU_STATUS';

const PROBE = `
import('webgpu').then(async ({ create }) => {
  const adapter = await create([]).requestAdapter();
  if (adapter === null) { console.log('none:no adapter (no Vulkan/Metal/D3D12 driver)'); return; }
  const i = adapter.info;
  console.log('ok:' + [i.vendor, i.device, '(' + i.architecture + ')'].join(' '));
}, (e) => console.log('none:the webgpu package does not load: ' + String(e.message).split('\\n')[0]));
`;

let cached: WebGpuStatus | undefined;

/** The WebGPU adapter of this machine, or why there is none. */
export function webgpuStatus(): WebGpuStatus {
  if (cached !== undefined) return cached;
  let line = process.env[ENV_KEY];
  if (line === undefined) {
    const here = dirname(fileURLToPath(import.meta.url));
    const probe = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], { cwd: here, encoding: 'utf8', timeout: 60_000 });
    line = probe.stdout.trim().split('\n').find((l) => l.startsWith('ok:') || l.startsWith('none:')) ?? `none:probe failed (${probe.stderr.trim().split('\n')[0] ?? probe.status})`;
    process.env[ENV_KEY] = line;
  }
  const available = line.startsWith('ok:');
  cached = { available, detail: line.slice(line.indexOf(':') + 1) };
  return cached;
}
