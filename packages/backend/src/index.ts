export { setBackend, BACKEND_REQUESTS, WASM_THREADS_ENV } from './select-backend';
export type { BackendChoice, BackendName, BackendOptions, BackendRequest } from './select-backend';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm/register';
export { setInnerKernelProfiler } from './wasm/kernel-scope';
export type { InnerKernelProfiler } from './wasm/kernel-scope';
export { ensureGradients } from './ensure-gradients';
export { originalKernel as builtinWasmKernel } from './wasm/original-kernels';
export { IMAGE_KERNELS, registerImageKernels } from './resample-grids-kernel';
export { meanGradient, registerReduceGradients, sumGradient } from './reduce-gradients';
