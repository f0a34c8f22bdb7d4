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
import { assertOneOf, ContrastiveError } from '@contrastive/core';
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

async function tryWasm(): Promise<Attempt> {
  registerWasmTrainingKernels();
  if (!(await activate('wasm'))) return { skipped: 'the wasm backend failed to initialise' };
  return {
    choice: {
      backend: 'wasm',
      provider: '@tensorflow/tfjs-backend-wasm',
      device: { kind: 'cpu', description: 'wasm (XNNPACK, SIMD) on the CPU' },
      trainingKernels: true,
      note: 'wasm (XNNPACK, SIMD) with training kernels',
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
function plan(request: BackendRequest): (() => Promise<Attempt>)[] {
  switch (request) {
    case 'tensorflow':
      return [() => tryTensorflow('any')];
    case 'webgpu':
      return [() => tryWebGpu(true)];
    case 'wasm':
      return [tryWasm];
    case 'cpu':
      return [tryCpu];
    case 'auto':
      return [() => tryTensorflow(true), () => tryWebGpu(false), () => tryTensorflow(false), tryWasm, tryCpu];
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
 * - `'wasm'`: the wasm backend with this package's training kernels.
 * - `'cpu'`: the pure JavaScript backend (slow; the parity reference).
 * - `'auto'` (default): tensorflow on a GPU, webgpu on a hardware adapter,
 *   tensorflow on the CPU, wasm, cpu; the reason names every fallback.
 *
 * Throws `ContrastiveError` `BACKEND_UNAVAILABLE` (argument `request`) when a
 * backend asked for by name cannot start.
 */
export async function setBackend(request: BackendRequest = 'auto'): Promise<BackendChoice> {
  assertOneOf('setBackend', 'request', request, BACKEND_REQUESTS);
  registerGradients();
  registerImageKernels();
  const notes: string[] = [];
  for (const attempt of plan(request)) {
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
