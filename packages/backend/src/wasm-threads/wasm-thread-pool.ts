/**
 * Chooses how many XNNPACK threads the `wasm` backend runs with in Node, by
 * registering the `wasm` backend factory: one thread is tfjs's own factory
 * (its single-threaded SIMD build, exactly as before this option existed);
 * two or more is tfjs's `BackendWasm` on the threaded build loaded by
 * `threaded-wasm-module.ts`. Node only (loaded by a dynamic import).
 *
 * Switching the thread count replaces the wasm backend instance: tensors that
 * live on wasm at that moment are lost, so choose the count before creating
 * any (as `setBackend` does).
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend } from '@tensorflow/tfjs-core';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { setHeapWorkers } from '../wasm/heap-pass-runner';
import { startHeapWorkers } from './heap-workers';
import type { HeapWorkerPool } from './heap-workers';
import { loadThreadedWasmModule, MAX_WASM_THREADS, unrefPoolWorkers } from './threaded-wasm-module';
import type { ThreadedModuleResult, ThreadedWasmModule } from './threaded-wasm-module';

/** tfjs-backend-wasm's own priority for its factory (`base.ts`). */
const WASM_PRIORITY = 2;


type BackendFactory = () => KernelBackend | Promise<KernelBackend>;

/**
 * State shared by every copy of this module in the process (tfjs's engine is
 * one per process, while test runners and dual ESM/CJS installs may load this
 * file more than once).
 */
interface PoolState {
  /** tfjs's own (single-threaded) `wasm` factory, saved before it is first replaced. */
  singleThreadFactory?: BackendFactory;
  /** Threads of the factory registered now (1: tfjs's own). */
  registeredThreads: number;
  /** Heap workers of the threaded backend made last (stopped when it is replaced). */
  heapWorkers?: HeapWorkerPool;
  /** Why the last threaded backend runs its heap passes on one thread, if it does. */
  heapWorkersFailure?: string;
}

const STATE_KEY = Symbol.for('@contrastive/backend/wasm-thread-pool');

function state(): PoolState {
  const holder = globalThis as unknown as Record<symbol, PoolState | undefined>;
  holder[STATE_KEY] ??= { registeredThreads: 1 };
  return holder[STATE_KEY];
}

/** The outcome of {@link useWasmThreads}. */
export interface WasmThreadsOutcome {
  /** XNNPACK threads of the registered wasm backend. */
  readonly threads: number;
  /** Why fewer threads than asked for, if so. */
  readonly shortfall?: string;
}

/** The machine's cores as Node reports them (`os.availableParallelism()`): the default thread count. */
export function machineThreads(): number {
  return availableParallelism();
}

/** XNNPACK threads of the `wasm` factory registered now (1 for tfjs's own). */
export function registeredWasmThreads(): number {
  return state().registeredThreads;
}

function replaceFactory(factory: BackendFactory): void {
  const s = state();
  if (s.singleThreadFactory === undefined) s.singleThreadFactory = tf.findBackendFactory('wasm') ?? undefined;
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
}

/** Stops the heap workers of the threaded backend made last, if any. */
function stopHeapWorkers(): void {
  const s = state();
  s.heapWorkers?.close();
  s.heapWorkers = undefined;
  s.heapWorkersFailure = undefined;
}

function restoreSingleThread(): void {
  stopHeapWorkers();
  const s = state();
  if (s.registeredThreads === 1) return;
  if (s.singleThreadFactory === undefined) throw new Error('the single-threaded wasm factory was not saved');
  replaceFactory(s.singleThreadFactory);
  setThreadsCount(-1);
  s.registeredThreads = 1;
}

/** A factory that builds `BackendWasm` on `first`, then (after a dispose) on a freshly loaded module. */
function threadedFactory(threads: number, first: ThreadedWasmModule): BackendFactory {
  let pending: ThreadedWasmModule | undefined = first;
  return async () => {
    let module = pending;
    pending = undefined;
    if (module === undefined) {
      const loaded = await loadThreadedWasmModule(threads);
      if ('failure' in loaded) throw new Error(loaded.failure);
      module = loaded.module;
    }
    setThreadsCount(threads);
    // tfjs's BackendWasm creates the XNNPACK pool (init_with_threads_count) in its constructor.
    const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
    unrefPoolWorkers(module);
    // The kernels' JavaScript heap passes split over the calling thread and threads - 1 heap workers.
    stopHeapWorkers();
    const heap = await startHeapWorkers(module.wasmMemory, threads - 1);
    if ('pool' in heap) {
      state().heapWorkers = heap.pool;
      setHeapWorkers(backend, heap.pool);
    } else {
      state().heapWorkersFailure = heap.failure;
    }
    return backend;
  };
}

/**
 * Registers the `wasm` backend with `threads` XNNPACK threads (capped at
 * {@link MAX_WASM_THREADS}) and activates it. Never throws for a missing or
 * different threaded build: it registers tfjs's single-threaded factory
 * instead and says why in `shortfall`.
 */
export async function useWasmThreads(
  threads: number,
  load: (threads: number) => Promise<ThreadedModuleResult> = loadThreadedWasmModule,
): Promise<WasmThreadsOutcome> {
  const wanted = Math.min(threads, MAX_WASM_THREADS);
  const capped = wanted < threads ? `${threads} asked for, tfjs's wasm build uses at most ${MAX_WASM_THREADS}` : undefined;
  if (wanted <= 1) {
    restoreSingleThread();
    return { threads: 1 };
  }
  if (state().registeredThreads === wanted && tf.findBackendFactory('wasm') != null) return { threads: wanted, shortfall: shortfall(capped) };
  const loaded = await load(wanted);
  if ('failure' in loaded) {
    restoreSingleThread();
    return { threads: 1, shortfall: `${wanted} threads asked for but ${loaded.failure}` };
  }
  replaceFactory(threadedFactory(wanted, loaded.module));
  state().registeredThreads = wanted;
  let started = false;
  try {
    started = (await tf.setBackend('wasm')) && tf.getBackend() === 'wasm';
  } catch {
    started = false;
  }
  const actual = started ? loaded.module.tfjs.getThreadsCount() : 0;
  if (actual !== wanted) {
    restoreSingleThread();
    const why = started ? `the XNNPACK pool has ${actual} threads` : 'the threaded backend did not start';
    return { threads: 1, shortfall: `${wanted} threads asked for but ${why} (tfjs-backend-wasm internals differ)` };
  }
  return { threads: wanted, shortfall: shortfall(capped) };
}

/** `capped` and, if the heap workers did not start, why the kernels' heap passes run on one thread. */
function shortfall(capped: string | undefined): string | undefined {
  const heap = state().heapWorkersFailure;
  const notes = [capped, heap === undefined ? undefined : `heap passes on one thread: ${heap}`].filter((n) => n !== undefined);
  return notes.length === 0 ? undefined : notes.join('; ');
}
