/**
 * The compiled `heap-passes.wat` (compiled once per process) and its
 * instances on a shared heap: the heap passes for the heap workers, and a
 * native `memcpyBig` for the threaded module's glue.
 */
import { HEAP_PASSES_WASM_BASE64 } from './heap-passes-wasm';

let compiled: WebAssembly.Module | undefined;

/** The compiled module (it imports `env.memory`, a shared memory of up to 4 GiB). */
export function heapPassesModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(HEAP_PASSES_WASM_BASE64, 'base64'));
  return compiled;
}

/** The module's exports on `memory`. */
export function heapPassesOn(memory: WebAssembly.Memory): WebAssembly.Exports {
  return new WebAssembly.Instance(heapPassesModule(), { env: { memory } }).exports;
}
