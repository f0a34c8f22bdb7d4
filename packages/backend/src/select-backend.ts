/**
 * Backend selection. Every accelerator package is optional: the native
 * TensorFlow bindings download libtensorflow at install time, and Dawn's
 * WebGPU bindings ship binaries for some platforms only; wasm and cpu are
 * always there.
 *
 * `'auto'` takes the fastest device that is really there: TensorFlow on a
 * CUDA GPU, then WebGPU on a hardware adapter, then TensorFlow on the CPU
 * (multi-threaded native kernels), then wasm, then cpu. A software WebGPU
 * adapter (lavapipe, SwiftShader) is slower than wasm, so only an explicit
 * `'webgpu'` uses it.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { assertInteger, assertOneOf, ContrastiveError } from '@contrastive/core';
import { registerWasmTrainingKernels } from './wasm/register';
import { ensureGradients } from './ensure-gradients';
import { registerImageKernels } from './resample-grids-kernel';
import { registerReduceGradients } from './reduce-gradients';
import { loadNative, tensorflowDevice, TENSORFLOW_GPU_REQUIREMENTS } from './native-tensorflow';
import { prepareWebGpu, type GpuAdapterDescription } from './webgpu-device';

/** What a caller may ask for. */
export type BackendRequest = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
/** The names of tfjs backends this package can activate. */
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** Options of {@link setBackend}. */
export interface BackendOptions {
  /**
   * XNNPACK threads of the `wasm` backend in Node (also when `'auto'` lands
   * on wasm). Default: the environment variable `CONTRASTIVE_WASM_THREADS`
   * when set, else the machine's cores, `os.availableParallelism()`
   * (PyTorch's default too); at most 8 are used (tfjs's wasm build pre-creates
   * 8 workers). `1` runs tfjs's single-threaded SIMD build exactly as before
   * this option existed. Outside Node, wasm runs on one thread.
   */
  readonly threads?: number;
}

/** Where the chosen backend computes. */
export interface BackendDevice {
  /** `gpu`: a hardware accelerator; `software-gpu`: an emulated WebGPU device; `cpu`: CPU kernels. */
  readonly kind: 'gpu' | 'software-gpu' | 'cpu';
  /** One line naming the device. */
  readonly description: string;
  /** The WebGPU adapter, for the `webgpu` backend. */
  readonly adapter?: GpuAdapterDescription;
}

/** The outcome of {@link setBackend}. */
export interface BackendChoice {
  /** The tfjs backend now active. */
  readonly backend: BackendName;
  /** What was asked for. */
  readonly requested: BackendRequest;
  /** The npm package that provides the backend. */
  readonly provider: string;
  /** Where it computes. */
  readonly device: BackendDevice;
  /** Why this backend was chosen, including every fallback taken. */
  readonly reason: string;
  /** True when the wasm training kernels of this package are registered. */
  readonly trainingKernels: boolean;
  /** XNNPACK threads, for the `wasm` backend (`reason` says why, when fewer than asked for). */
  readonly threads?: number;
}

async function activate(name: BackendName): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

function unavailable(request: BackendRequest, why: string, hint = ''): ContrastiveError {
  return new ContrastiveError(
    'BACKEND_UNAVAILABLE',
    `setBackend: 'request' must name an available backend; got "${request}" but ${why}${hint === '' ? '' : `. ${hint}`}`,
    { fn: 'setBackend', argument: 'request' },
  );
}

/** Gradient registrations, after any package that registers tfjs's own (a native package loads @tensorflow/tfjs). */
function registerGradients(): void {
  ensureGradients();
  registerReduceGradients();
}

interface Attempt {
  choice?: Omit<BackendChoice, 'requested' | 'reason'> & { note: string };
  /** Why it was not taken (for the reason of a fallback). */
  skipped?: string;
}

async function tryTensorflow(wantGpu: boolean | 'any'): Promise<Attempt> {
  const native = loadNative();
  registerGradients();
  if ('failures' in native) return { skipped: `native bindings not installed (${native.failures.join('; ')})` };
  if (!(await activate('tensorflow'))) return { skipped: `${native.provider} loaded but the tensorflow backend did not start` };
  const device = tensorflowDevice(native.provider);
  if (wantGpu !== 'any' && device.gpu !== wantGpu) return { skipped: device.description };
  return {
    choice: {
      backend: 'tensorflow',
      provider: native.provider,
      device: { kind: device.gpu ? 'gpu' : 'cpu', description: device.description },
      trainingKernels: false,
      note: device.description,
    },
  };
}

async function tryWebGpu(allowSoftware: boolean): Promise<Attempt> {
  const prepared = await prepareWebGpu();
  if ('failure' in prepared) return { skipped: prepared.failure };
  const { adapter } = prepared;
  const label = `${adapter.vendor} ${adapter.name}`.trim();
  if (adapter.software && !allowSoftware) {
    return { skipped: `the WebGPU adapter is a software device (${label}), slower than wasm; ask for 'webgpu' by name to use it` };
  }
  if (!(await activate('webgpu'))) return { skipped: `the webgpu backend did not start on ${label}` };
  return {
    choice: {
      backend: 'webgpu',
      provider: '@tensorflow/tfjs-backend-webgpu',
      device: { kind: adapter.software ? 'software-gpu' : 'gpu', description: `WebGPU on ${label}${adapter.software ? ' (software)' : ''}`, adapter },
      trainingKernels: false,
      note: `webgpu on ${label}${adapter.software ? ' (a software device, asked for by name)' : ''}`,
    },
  };
}

/** True in Node, where the threaded wasm build can run on worker_threads. */
function inNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** Environment variable that sets the default wasm thread count (e.g. for `npm start`). */
export const WASM_THREADS_ENV = 'CONTRASTIVE_WASM_THREADS';

/** The thread count in {@link WASM_THREADS_ENV}, if set (an integer >= 1). */
function threadsFromEnvironment(): number | undefined {
  const raw = process.env[WASM_THREADS_ENV];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  assertInteger('setBackend', WASM_THREADS_ENV, value, 1);
  return value;
}

/** Registers the wasm factory for `threads` (Node) and says how many threads it got and why. */
async function prepareWasmThreads(threads: number | undefined): Promise<{ threads: number; detail: string }> {
  if (!inNode()) {
    return { threads: 1, detail: threads !== undefined && threads > 1 ? `1 thread: threads need Node's worker_threads` : '1 thread' };
  }
  const pool = await import('./wasm-threads/wasm-thread-pool');
  const wanted = threads ?? threadsFromEnvironment() ?? pool.machineThreads();
  const outcome = await pool.useWasmThreads(wanted);
  const count = `${outcome.threads} thread${outcome.threads === 1 ? '' : 's'}`;
  return { threads: outcome.threads, detail: outcome.shortfall === undefined ? count : `${count}: ${outcome.shortfall}` };
}

async function tryWasm(threads: number | undefined): Promise<Attempt> {
  registerWasmTrainingKernels();
  const pool = await prepareWasmThreads(threads);
  if (!(await activate('wasm'))) return { skipped: 'the wasm backend failed to initialise' };
  return {
    choice: {
      backend: 'wasm',
      provider: '@tensorflow/tfjs-backend-wasm',
      device: { kind: 'cpu', description: `wasm (XNNPACK, SIMD, ${pool.detail}) on the CPU` },
      trainingKernels: true,
      threads: pool.threads,
      note: `wasm (XNNPACK, SIMD, ${pool.detail}) with training kernels`,
    },
  };
}

async function tryCpu(): Promise<Attempt> {
  if (!(await activate('cpu'))) return { skipped: 'the cpu backend failed to start' };
  return {
    choice: {
      backend: 'cpu',
      provider: '@tensorflow/tfjs-backend-cpu',
      device: { kind: 'cpu', description: 'pure JavaScript on the CPU' },
      trainingKernels: false,
      note: 'cpu (pure JavaScript)',
    },
  };
}

/** The attempts of each request, in order. */
function plan(request: BackendRequest, threads: number | undefined): (() => Promise<Attempt>)[] {
  const tryWasmThreads = (): Promise<Attempt> => tryWasm(threads);
  switch (request) {
    case 'tensorflow':
      return [() => tryTensorflow('any')];
    case 'webgpu':
      return [() => tryWebGpu(true)];
    case 'wasm':
      return [tryWasmThreads];
    case 'cpu':
      return [tryCpu];
    case 'auto':
      return [() => tryTensorflow(true), () => tryWebGpu(false), () => tryTensorflow(false), tryWasmThreads, tryCpu];
  }
}

const HINTS: Partial<Record<BackendRequest, string>> = {
  tensorflow: `Install @tensorflow/tfjs-node-gpu (needs ${TENSORFLOW_GPU_REQUIREMENTS}) or @tensorflow/tfjs-node (CPU)`,
  webgpu:
    'Install the optional dependency webgpu (npm i webgpu) and a Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver; ' +
    'without a GPU on Debian bookworm: apt-get install -t bookworm-backports mesa-vulkan-drivers',
};

/**
 * Activates a tfjs backend and reports what it chose, on which device, and why.
 *
 * - `'tensorflow'`: the native bindings, on a GPU when TensorFlow finds one
 *   (the reason says when it runs on the CPU and what it needs for a GPU).
 * - `'webgpu'`: tfjs's WebGPU backend on Dawn (Vulkan, Metal, D3D12), also on a
 *   software adapter.
 * - `'wasm'`: the wasm backend with this package's training kernels, on
 *   `options.threads` XNNPACK threads in Node (default: every core).
 * - `'cpu'`: the pure JavaScript backend (slow; the parity reference).
 * - `'auto'` (default): tensorflow on a GPU, webgpu on a hardware adapter,
 *   tensorflow on the CPU, wasm, cpu; the reason names every fallback.
 *
 * Throws `ContrastiveError` `BACKEND_UNAVAILABLE` (argument `request`) when a
 * backend asked for by name cannot start, and `OUT_OF_RANGE` (argument
 * `threads`) unless `options.threads` is an integer >= 1. Fewer threads than
 * asked for (a tfjs version whose threaded build differs, no
 * SharedArrayBuffer, more than 8) is no error: `threads` and `reason` say so.
 */
export async function setBackend(request: BackendRequest = 'auto', options: BackendOptions = {}): Promise<BackendChoice> {
  assertOneOf('setBackend', 'request', request, BACKEND_REQUESTS);
  if (options.threads !== undefined) assertInteger('setBackend', 'threads', options.threads, 1);
  registerGradients();
  registerImageKernels();
  const notes: string[] = [];
  for (const attempt of plan(request, options.threads)) {
    const { choice, skipped } = await attempt();
    if (choice !== undefined) {
      const { note, ...rest } = choice;
      return { ...rest, requested: request, reason: [...notes, note].join('; falling back to ') };
    }
    if (!notes.includes(skipped!)) notes.push(skipped!);
  }
  if (request === 'auto') throw unavailable(request, notes.join('; '));
  throw unavailable(request, notes.join('; '), HINTS[request]);
}
