/**
 * Backend selection in a browser (the `@contrastive/backend/browser` entry):
 * no Node builtins, no native bindings, nothing a bundler (vite, esbuild,
 * webpack) cannot resolve. `'auto'` takes webgpu, then webgl, then wasm, then
 * cpu: the first one that starts on this page. Each backend package is loaded
 * only when it is tried, so a bundler splits it into its own chunk.
 *
 * tfjs-core's gradient definitions are registered here (its bundler entry
 * `register_all_gradients`, the module `@tensorflow/tfjs` imports), then this
 * package's `Sum`/`Mean` gradients, as the Node `setBackend` does.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { assertOneOf, ContrastiveError } from '@contrastive/core';
import { registerReduceGradients } from './reduce-gradients';
import { registerImageKernels } from './resample-grids-kernel';
import { registerWasmTrainingKernels } from './wasm/register';

/** What a browser page may ask for. */
export type BrowserBackendRequest = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** The tfjs backends this entry can activate. */
export type BrowserBackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const BROWSER_BACKEND_REQUESTS: readonly BrowserBackendRequest[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** The binaries of `@tensorflow/tfjs-backend-wasm` 4.x. */
export type WasmBinaryName = 'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';

/** Options of {@link setBrowserBackend}. */
export interface BrowserBackendOptions {
  /**
   * Where the page serves `@tensorflow/tfjs-backend-wasm`'s `.wasm` files, passed
   * to its `setWasmPaths`: a URL prefix ending in `/`, or a URL per file name
   * (e.g. from a bundler's `?url` imports of `dist/tfjs-backend-wasm-simd.wasm`).
   * Default: none, and tfjs looks next to the script, which a bundled page
   * usually does not have; `'auto'` then falls back to cpu and says so.
   */
  wasmPaths?: string | Partial<Record<WasmBinaryName, string>>;
}

/** The outcome of {@link setBrowserBackend}. */
export interface BrowserBackendChoice {
  /** The tfjs backend now active. */
  readonly backend: BrowserBackendName;
  /** What was asked for. */
  readonly requested: BrowserBackendRequest;
  /** The npm package that provides the backend. */
  readonly provider: string;
  /** Where it computes: `software-gpu` for SwiftShader, llvmpipe and the like. */
  readonly device: { readonly kind: 'gpu' | 'software-gpu' | 'cpu'; readonly description: string };
  /** Why this backend was chosen, including every fallback taken. */
  readonly reason: string;
}

type Attempt = { choice: Omit<BrowserBackendChoice, 'requested' | 'reason'> } | { skipped: string };

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

async function activate(name: BrowserBackendName): Promise<string | undefined> {
  try {
    if (!(await tf.setBackend(name))) return `the ${name} backend did not initialise`;
    await tf.ready();
    return tf.getBackend() === name ? undefined : `tfjs stayed on ${tf.getBackend()}`;
  } catch (error) {
    return `the ${name} backend failed (${message(error)})`;
  }
}

async function tryWebGpu(): Promise<Attempt> {
  const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  if (gpu === undefined) return { skipped: 'this browser has no WebGPU (navigator.gpu)' };
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    return { skipped: `@tensorflow/tfjs-backend-webgpu does not load (${message(error)})` };
  }
  const failure = await activate('webgpu');
  if (failure !== undefined) return { skipped: `${failure}; WebGPU found no usable adapter` };
  const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  const label = [info?.vendor, info?.architecture].filter((s) => s !== undefined && s !== '').join(' ') || 'an adapter';
  return {
    choice: {
      backend: 'webgpu',
      provider: '@tensorflow/tfjs-backend-webgpu',
      device: { kind: SOFTWARE_RENDERER.test(label) ? 'software-gpu' : 'gpu', description: `WebGPU on ${label}` },
    },
  };
}

/** The WebGL renderer string (unmasked when the browser allows it). */
function webglRenderer(): string {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
  if (gl === undefined) return 'an unknown renderer';
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(debug === null ? gl.RENDERER : debug.UNMASKED_RENDERER_WEBGL));
}

async function tryWebGl(): Promise<Attempt> {
  try {
    await import('@tensorflow/tfjs-backend-webgl');
  } catch (error) {
    return { skipped: `@tensorflow/tfjs-backend-webgl does not load (${message(error)})` };
  }
  const failure = await activate('webgl');
  if (failure !== undefined) return { skipped: `${failure}; no WebGL context` };
  const renderer = webglRenderer();
  const version = tf.env().getNumber('WEBGL_VERSION');
  return {
    choice: {
      backend: 'webgl',
      provider: '@tensorflow/tfjs-backend-webgl',
      device: { kind: SOFTWARE_RENDERER.test(renderer) ? 'software-gpu' : 'gpu', description: `WebGL ${version} on ${renderer}` },
    },
  };
}

async function tryWasm(options: BrowserBackendOptions): Promise<Attempt> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
  } catch (error) {
    return { skipped: `@tensorflow/tfjs-backend-wasm does not load (${message(error)})` };
  }
  registerWasmTrainingKernels();
  const failure = await activate('wasm');
  if (failure !== undefined) return { skipped: `${failure}; pass wasmPaths where the page serves its .wasm files` };
  return {
    choice: { backend: 'wasm', provider: '@tensorflow/tfjs-backend-wasm', device: { kind: 'cpu', description: 'wasm (XNNPACK) on the CPU' } },
  };
}

async function tryCpu(): Promise<Attempt> {
  await import('@tensorflow/tfjs-backend-cpu');
  const failure = await activate('cpu');
  if (failure !== undefined) return { skipped: failure };
  return {
    choice: { backend: 'cpu', provider: '@tensorflow/tfjs-backend-cpu', device: { kind: 'cpu', description: 'pure JavaScript on the CPU' } },
  };
}

function plan(request: BrowserBackendRequest, options: BrowserBackendOptions): (() => Promise<Attempt>)[] {
  const wasm = () => tryWasm(options);
  switch (request) {
    case 'webgpu':
      return [tryWebGpu];
    case 'webgl':
      return [tryWebGl];
    case 'wasm':
      return [wasm];
    case 'cpu':
      return [tryCpu];
    case 'auto':
      return [tryWebGpu, tryWebGl, wasm, tryCpu];
  }
}

/**
 * Activates a tfjs backend in a browser and reports what it got and why.
 * `'auto'` (default): webgpu, webgl, wasm, cpu, the first that starts; the
 * reason names every fallback. A software GPU (SwiftShader, llvmpipe) is
 * taken as it is, and `device.kind` says `software-gpu`.
 *
 * Throws `ContrastiveError` `BACKEND_UNAVAILABLE` (argument `request`) when a
 * backend asked for by name does not start.
 */
export async function setBrowserBackend(
  request: BrowserBackendRequest = 'auto',
  options: BrowserBackendOptions = {},
): Promise<BrowserBackendChoice> {
  assertOneOf('setBrowserBackend', 'request', request, BROWSER_BACKEND_REQUESTS);
  registerReduceGradients();
  registerImageKernels();
  const notes: string[] = [];
  for (const attempt of plan(request, options)) {
    const outcome = await attempt();
    if ('choice' in outcome) {
      const note = `${outcome.choice.backend} (${outcome.choice.device.description})`;
      return { ...outcome.choice, requested: request, reason: [...notes, note].join('; falling back to ') };
    }
    notes.push(outcome.skipped);
  }
  throw new ContrastiveError(
    'BACKEND_UNAVAILABLE',
    `setBrowserBackend: 'request' must name a backend that starts in this browser; got "${request}" but ${notes.join('; ')}`,
    { fn: 'setBrowserBackend', argument: 'request' },
  );
}
