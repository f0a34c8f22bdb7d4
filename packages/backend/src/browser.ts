/**
 * `@contrastive/backend/browser`: everything of this package that runs in a
 * browser page, free of Node builtins and native bindings, so that vite,
 * esbuild or webpack bundle it for `platform: 'browser'`.
 */
export { setBrowserBackend, BROWSER_BACKEND_REQUESTS } from './select-browser-backend';
export type {
  BrowserBackendChoice,
  BrowserBackendName,
  BrowserBackendOptions,
  BrowserBackendRequest,
  WasmBinaryName,
} from './select-browser-backend';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm/register';
export { IMAGE_KERNELS, registerImageKernels } from './resample-grids-kernel';
export { meanGradient, registerReduceGradients, sumGradient } from './reduce-gradients';
