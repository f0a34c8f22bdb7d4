/**
 * The WebGPU device in Node: Dawn's bindings (npm `webgpu`, an optional
 * dependency with prebuilt binaries for Linux, macOS and Windows) drive
 * Vulkan, Metal or D3D12; `@tensorflow/tfjs-backend-webgpu` runs on it. In a
 * browser `navigator.gpu` is used as it is.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The adapter a `webgpu` backend runs on. */
export interface GpuAdapterDescription {
  /** Device name as the driver reports it (e.g. `llvmpipe-llvm-15...`, `nvidia geforce rtx 4090`). */
  readonly name: string;
  /** Vendor (`nvidia`, `amd`, `intel`, `apple`, `mesa`, ...). */
  readonly vendor: string;
  /** Architecture (`ampere`, `rdna-3`, `software`, ...); may be empty. */
  readonly architecture: string;
  /** Driver description (e.g. `llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)`); may be empty. */
  readonly description: string;
  /** True for a CPU-emulated device (Mesa's lavapipe, SwiftShader, WARP): correct but slow. */
  readonly software: boolean;
}

type Gpu = { requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null> };
interface GpuAdapterLike {
  readonly info?: Record<string, unknown>;
  readonly isFallbackAdapter?: boolean;
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  requestDevice(descriptor?: unknown): Promise<unknown>;
}

let gpu: Gpu | undefined;
let adapter: GpuAdapterLike | undefined;

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** navigator.gpu where it exists (browsers, Deno), else Dawn's bindings from npm `webgpu`. */
async function loadGpu(): Promise<Gpu> {
  if (gpu !== undefined) return gpu;
  const nav = (globalThis as { navigator?: { gpu?: Gpu } }).navigator;
  if (nav?.gpu !== undefined) return (gpu = nav.gpu);
  // A variable specifier keeps bundlers from resolving the Node-only package.
  const specifier = 'webgpu';
  const dawn = (await import(/* @vite-ignore */ specifier)) as { create(flags: string[]): Gpu; globals: Record<string, unknown> };
  // tfjs-backend-webgpu reads the WebGPU constants (GPUBufferUsage, GPUMapMode, ...) as globals.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  gpu = dawn.create([]);
  // tfjs-backend-webgpu checks navigator.gpu before it starts.
  if (nav === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  }
  return gpu;
}

function describe(found: GpuAdapterLike): GpuAdapterDescription {
  const info = found.info ?? {};
  const text = (key: string) => (typeof info[key] === 'string' ? (info[key] as string) : '');
  const architecture = text('architecture');
  const description = text('description');
  const software =
    info['isFallbackAdapter'] === true ||
    found.isFallbackAdapter === true ||
    architecture === 'software' ||
    /llvmpipe|lavapipe|swiftshader|microsoft basic render/i.test(`${text('device')} ${description}`);
  return { name: text('device') || description, vendor: text('vendor'), architecture, description, software };
}

/**
 * Finds the WebGPU adapter (high-performance preference, as tfjs asks) and
 * registers tfjs's `webgpu` backend on it. Returns the adapter, or why there
 * is none (the `webgpu` package is not installed or does not load, or no
 * adapter: no Vulkan/Metal/D3D12 driver).
 */
export async function prepareWebGpu(): Promise<{ adapter: GpuAdapterDescription } | { failure: string }> {
  let found: GpuAdapterLike | null;
  try {
    const g = await loadGpu();
    found = adapter ?? (await g.requestAdapter({ powerPreference: 'high-performance' }));
  } catch (error) {
    return { failure: `the webgpu package does not load (${message(error)}); install it with npm i webgpu` };
  }
  if (found === null) {
    return {
      failure:
        'WebGPU found no adapter (no Vulkan, Metal or D3D12 driver; on Linux without a GPU, Mesa >= 24 mesa-vulkan-drivers gives a software one)',
    };
  }
  adapter = found;
  let backendModule: { WebGPUBackend: new (device: unknown, info?: unknown) => tf.KernelBackend };
  try {
    backendModule = (await import('@tensorflow/tfjs-backend-webgpu')) as unknown as typeof backendModule;
  } catch (error) {
    return { failure: `@tensorflow/tfjs-backend-webgpu does not load (${message(error)})` };
  }
  if (tf.findBackendFactory('webgpu') === null) {
    const chosen = found;
    tf.registerBackend('webgpu', async () => {
      // The features and limits tfjs-backend-webgpu's own factory asks for.
      const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) => chosen.features.has(f));
      const l = chosen.limits;
      const device = await chosen.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l['maxComputeWorkgroupStorageSize'],
          maxComputeWorkgroupsPerDimension: l['maxComputeWorkgroupsPerDimension'],
          maxStorageBufferBindingSize: l['maxStorageBufferBindingSize'],
          maxBufferSize: l['maxBufferSize'],
          maxComputeWorkgroupSizeX: l['maxComputeWorkgroupSizeX'],
          maxComputeInvocationsPerWorkgroup: l['maxComputeInvocationsPerWorkgroup'],
        },
      });
      return new backendModule.WebGPUBackend(device, chosen.info);
    }, 3);
  }
  return { adapter: describe(found) };
}
