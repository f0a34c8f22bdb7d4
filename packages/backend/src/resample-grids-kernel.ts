/**
 * The `ContrastiveResampleGrids` kernel (see `@contrastive/core`'s
 * `resampleGridsInto`) for the wasm and cpu backends: one JavaScript pass
 * over the batch, reading the input and writing the output where the backend
 * keeps them (the wasm heap, the cpu backend's arrays).
 *
 * On wasm this replaces an edge `MirrorPad`, the built-in `CropAndResize` (a
 * scalar loop, 78 ms for 64 crops to 224x224x3 on the build machine) and, for
 * augment's stacked layout, the `Transpose` after it (19 ms) with one 25-35 ms
 * pass. Backends without it (webgl, tensorflow) run augment's `cropAndResize`
 * path, which samples the same positions on the device.
 */
import { getKernel, registerKernel, util } from '@tensorflow/tfjs-core';
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { ContrastiveError, RESAMPLE_GRIDS_KERNEL, RESAMPLE_GRID_FIELDS, resampleGridsInto, type ResampleGridsAttrs } from '@contrastive/core';
import { float32View, type WasmHeapBackend } from './wasm/heap-views';

/** Output shape for `images` [N, H, W, C] in the requested layout. */
function outputShape(images: TensorInfo, attrs: ResampleGridsAttrs): number[] {
  const [n, , , c] = images.shape as number[];
  const [outH, outW] = attrs.size;
  return attrs.layout === 'stacked' ? [outH * outW, c!, n!] : [n!, outH, outW, c!];
}

function checked(inputs: unknown, attrsIn: unknown): { images: TensorInfo; attrs: ResampleGridsAttrs } {
  const images = (inputs as { images: TensorInfo }).images;
  const attrs = attrsIn as ResampleGridsAttrs;
  const fail = (argument: string, expected: string, got: string): never => {
    throw new ContrastiveError('INVALID_ARGUMENT', `${RESAMPLE_GRIDS_KERNEL}: '${argument}' must be ${expected}; got ${got}`, {
      fn: RESAMPLE_GRIDS_KERNEL,
      argument,
    });
  };
  if (images.shape.length !== 4 || images.dtype !== 'float32') fail('images', 'float32 [N, H, W, C]', `${images.dtype} [${images.shape.join(', ')}]`);
  const n = images.shape[0]!;
  if (!Array.isArray(attrs.grids) || attrs.grids.length !== n * RESAMPLE_GRID_FIELDS) {
    fail('grids', `${n * RESAMPLE_GRID_FIELDS} numbers (${RESAMPLE_GRID_FIELDS} per image)`, String(attrs.grids?.length));
  }
  if (!Array.isArray(attrs.size) || attrs.size.length !== 2 || !attrs.size.every((s) => Number.isInteger(s) && s > 0)) {
    fail('size', 'two positive integers', JSON.stringify(attrs.size));
  }
  if (attrs.layout !== 'nhwc' && attrs.layout !== 'stacked') fail('layout', "'nhwc' or 'stacked'", String(attrs.layout));
  return { images, attrs };
}

const wasmKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const { images, attrs: a } = checked(inputs, attrs);
  const wasm = backend as unknown as WasmHeapBackend;
  const out = wasm.makeOutput(outputShape(images, a), 'float32');
  // Views only after the allocation: malloc may grow (and detach) the heap.
  resampleGridsInto(float32View(wasm, images), float32View(wasm, out), images.shape as [number, number, number, number], a);
  return out;
};

interface CpuBackendLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: DataType, values: Float32Array): TensorInfo;
}

const cpuKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const { images, attrs: a } = checked(inputs, attrs);
  const cpu = backend as unknown as CpuBackendLike;
  const shape = outputShape(images, a);
  const out = new Float32Array(util.sizeFromShape(shape));
  resampleGridsInto(cpu.data.get(images.dataId).values as Float32Array, out, images.shape as [number, number, number, number], a);
  return cpu.makeTensorInfo(shape, 'float32', out);
};

/** The kernel's configs: wasm (heap views) and cpu (the backend's arrays). */
export const IMAGE_KERNELS: KernelConfig[] = [
  { kernelName: RESAMPLE_GRIDS_KERNEL, backendName: 'wasm', kernelFunc: wasmKernel },
  { kernelName: RESAMPLE_GRIDS_KERNEL, backendName: 'cpu', kernelFunc: cpuKernel },
];

/** Registers {@link IMAGE_KERNELS} (idempotent; `setBackend` calls it). */
export function registerImageKernels(): void {
  for (const config of IMAGE_KERNELS) {
    if (getKernel(config.kernelName, config.backendName) === undefined) registerKernel(config);
  }
}
