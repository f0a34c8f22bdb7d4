/**
 * Instantiates tfjs's multi-threaded wasm build (`tfjs-backend-wasm-threaded-simd`)
 * in Node, with XNNPACK's thread pool on `worker_threads`. Node only: it is
 * loaded by a dynamic import from `select-backend.ts`.
 *
 * Why tfjs alone gives one thread in Node (tfjs-backend-wasm 4.22):
 * 1. its `WASM_HAS_MULTITHREAD_SUPPORT` flag returns false under `IS_NODE`;
 * 2. forced on, its loader starts Emscripten's workers from `blob:` URLs and
 *    hands them the main script as a Blob of the *bundled* factory's source,
 *    which names the bundler's `require$$0..4` and `commonjsGlobal`;
 * 3. even with those worked around, the C++ side caps the pool:
 *    `num_cores = emscripten_num_logical_cores() / 2` (a static initialiser:
 *    "many x86-64 processors have 2 threads per core") and
 *    `init_with_threads_count(n)` creates `min(max(n, 1), 8, num_cores)`
 *    threads. In Node `emscripten_num_logical_cores()` is `os.cpus().length`,
 *    so a 2-core machine gets `2 / 2 = 1` thread whatever is asked for, and
 *    an 8-core one at most 4.
 *
 * What this file does instead, without touching tfjs's files: it calls the
 * unbundled Emscripten factory that the package ships
 * (`wasm-out/tfjs-backend-wasm-threaded-simd.js`, whose glue has a Node path)
 * with the factory's own options: `locateFile` points the pthread worker at a
 * file holding the package's worker script (`wasmWorkerContents`),
 * `mainScriptUrlOrBlob` is the unbundled factory's path (workers `eval` it),
 * and `instantiateWasm` compiles the module itself and replaces the
 * `emscripten_num_logical_cores` import by `2 * threads`, so that
 * `num_cores` equals the thread count asked for. Every step checks the
 * internals it relies on and reports a failure (never throws), so a tfjs
 * version whose internals differ falls back to one thread with a reason.
 */
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { heapPassesOn } from './heap-passes-module';

/** Most threads tfjs's wasm build can use: it pre-creates 8 pthread workers and caps the pool at 8 (`backend.cc`). */
export const MAX_WASM_THREADS = 8;

/** The parts of an Emscripten worker the glue keeps (Node `worker_threads.Worker`). */
interface PthreadWorker {
  ref(): void;
  unref(): void;
}

/** The parts of the Emscripten module this file and tfjs's `BackendWasm` use. */
export interface ThreadedWasmModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  wasmMemory: WebAssembly.Memory;
  HEAPU8: Uint8Array;
  PThread: { runningWorkers: PthreadWorker[]; unusedWorkers: PthreadWorker[]; terminateAllThreads(): void };
  _init_with_threads_count: unknown;
  _get_threads_count: unknown;
  /** tfjs's bridge, the same functions `@tensorflow/tfjs-backend-wasm`'s loader adds. */
  tfjs: {
    init: () => void;
    initWithThreadsCount: (threads: number) => void;
    getThreadsCount: () => number;
    registerTensor: (id: number, size: number, memoryOffset: number) => void;
    disposeData: (id: number) => void;
    dispose: () => void;
  };
}

/** The outcome of {@link loadThreadedWasmModule}. */
export type ThreadedModuleResult = { module: ThreadedWasmModule } | { failure: string };

type Factory = (config: Record<string, unknown>) => Promise<ThreadedWasmModule>;
type Imports = { env?: Record<string, unknown> };

/**
 * Replaces the glue's `emscripten_memcpy_big` (large `memcpy`s of tfjs's
 * kernels, e.g. Cast, Identity copies, concatenations), which calls
 * `copyWithin` on the shared heap, 3-5x slower in Node than on an
 * ArrayBuffer, by `memory.copy` (heap-passes.wat's `memcpyBig`). Keeps the
 * glue's if anything differs.
 */
function useNativeMemcpy(env: Record<string, unknown> | undefined): void {
  const memory = env?.['memory'];
  if (env === undefined || !(memory instanceof WebAssembly.Memory) || typeof env['emscripten_memcpy_big'] !== 'function') return;
  try {
    const copy = heapPassesOn(memory)['memcpyBig'] as (dest: number, src: number, num: number) => void;
    env['emscripten_memcpy_big'] = (dest: number, src: number, num: number): void => copy(dest, src, num);
  } catch {
    // The glue's copy stays: slower, same bytes.
  }
}

/** Where tfjs-backend-wasm keeps its unbundled threaded factory and its pthread worker script. */
export const THREADED_BUILD = {
  factory: '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js',
  worker: '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
} as const;
const WASM = 'tfjs-backend-wasm-threaded-simd.wasm';

/** A `require` that resolves from this file, in the ESM and CJS builds and under vitest. */
function localRequire(): NodeRequire {
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  return createRequire(here);
}

/**
 * Writes the package's pthread worker script to a file named by its content
 * hash in a per-user temporary folder, and returns its path: Node's `Worker`
 * needs a file, and the package exports the script as a string. The file is
 * reused by every later process (a process killed by a signal would otherwise
 * leave a fresh temporary folder behind each run); it is written to a private
 * name and renamed, so concurrent processes never read half a script. `\n`
 * escapes inside its string literals become real newlines in a template
 * literal; they are re-escaped (as tfjs's own loader does before making a Blob).
 */
function workerFile(contents: string): string {
  const script = contents.replace(/\n/g, '\\n');
  const digest = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const dir = workerFolder();
  const path = join(dir, `pthread-worker-${digest}.cjs`);
  if (existsSync(path) && readFileSync(path, 'utf8') === script) return path;
  const partial = `${path}.${process.pid}-${threadId}.partial`;
  writeFileSync(partial, script, { mode: 0o600 });
  renameSync(partial, path);
  return path;
}

/** `<tmpdir>/contrastive-wasm-threads-<uid>`, created private (0700); a folder of that name owned by another user is not used. */
function workerFolder(): string {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `contrastive-wasm-threads-${uid ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    const own = mkdtempSync(join(tmpdir(), 'contrastive-wasm-threads-'));
    process.once('exit', () => rmSync(own, { recursive: true, force: true }));
    return own;
  }
  return dir;
}

/**
 * Keeps `module.HEAPU8` (and the other heap views) current: with shared
 * memory a worker thread may grow the heap, and the glue refreshes its views
 * only inside its own functions. tfjs's backend and this package's kernels
 * read `HEAPU8` directly, so the getter re-creates a view when the memory's
 * buffer changed.
 */
function keepHeapViewsCurrent(module: ThreadedWasmModule): void {
  const views: [string, new (buffer: ArrayBufferLike) => ArrayBufferView][] = [
    ['HEAP8', Int8Array],
    ['HEAPU8', Uint8Array],
    ['HEAP16', Int16Array],
    ['HEAPU16', Uint16Array],
    ['HEAP32', Int32Array],
    ['HEAPU32', Uint32Array],
    ['HEAPF32', Float32Array],
    ['HEAPF64', Float64Array],
  ];
  const record = module as unknown as Record<string, ArrayBufferView>;
  for (const [name, View] of views) {
    let view = record[name] as ArrayBufferView;
    Object.defineProperty(module, name, {
      configurable: true,
      enumerable: true,
      get() {
        const buffer = module.wasmMemory.buffer;
        if (view.buffer !== buffer) view = new View(buffer);
        return view;
      },
      set(next: ArrayBufferView) {
        view = next;
      },
    });
  }
}

/** Removes the `uncaughtException`/`unhandledRejection` listeners the glue adds (they rethrow; Node's default already does). */
function restoreProcessListeners(before: Map<string, Function[]>): void {
  for (const [event, listeners] of before) {
    for (const listener of process.listeners(event as 'uncaughtException')) {
      if (!listeners.includes(listener)) process.removeListener(event as 'uncaughtException', listener as (e: Error) => void);
    }
  }
}

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * Loads tfjs's threaded wasm build with an XNNPACK pool sized for `threads`
 * (2 to {@link MAX_WASM_THREADS}). The pool itself is created by tfjs's
 * `BackendWasm` constructor (`init_with_threads_count`), after
 * `setThreadsCount(threads)`. Resolves to `{ failure }` with the reason when
 * anything this relies on is missing or different. `build` names the factory
 * and worker modules (tests point it at other files).
 */
export async function loadThreadedWasmModule(
  threads: number,
  build: { readonly factory: string; readonly worker: string } = THREADED_BUILD,
): Promise<ThreadedModuleResult> {
  if (typeof SharedArrayBuffer === 'undefined') return { failure: 'SharedArrayBuffer is not available' };
  const load = localRequire();
  let factoryPath: string;
  let contents: unknown;
  try {
    factoryPath = load.resolve(build.factory);
    contents = (load(build.worker) as { wasmWorkerContents?: unknown }).wasmWorkerContents;
  } catch (error) {
    return { failure: `tfjs-backend-wasm has no unbundled threaded build (${(error as Error).message.split('\n')[0]})` };
  }
  const wasmPath = join(dirname(factoryPath), WASM);
  if (typeof contents !== 'string' || !contents.includes('importScripts') || !existsSync(wasmPath)) {
    return { failure: 'tfjs-backend-wasm internals differ (no pthread worker script or threaded .wasm next to the factory)' };
  }
  const factory = load(factoryPath) as unknown;
  if (typeof factory !== 'function') return { failure: 'tfjs-backend-wasm internals differ (the threaded factory is not a function)' };
  const worker = workerFile(contents);
  const compiled = await WebAssembly.compile(readFileSync(wasmPath));
  let importReplaced = false;
  let failInstantiate: (error: unknown) => void = () => undefined;
  const instantiateFailed = new Promise<never>((_, reject) => {
    failInstantiate = reject;
  });
  const before = new Map(['uncaughtException', 'unhandledRejection'].map((e) => [e, process.listeners(e as 'uncaughtException') as Function[]]));
  let module: ThreadedWasmModule;
  try {
    const started = (factory as Factory)({
      locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? worker : path.endsWith('.wasm') ? wasmPath : prefix + path),
      mainScriptUrlOrBlob: factoryPath,
      instantiateWasm: (imports: Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
        const env = imports.env;
        if (env !== undefined && typeof env['emscripten_num_logical_cores'] === 'function') {
          // backend.cc sizes its cap as logical cores / 2.
          env['emscripten_num_logical_cores'] = () => 2 * threads;
          importReplaced = true;
        }
        useNativeMemcpy(env);
        // A failed instantiation would leave the factory pending: reject the race below instead.
        WebAssembly.instantiate(compiled, imports as WebAssembly.Imports).then(
          (instance) => receive(instance, compiled),
          (error: unknown) => failInstantiate(new Error(`instantiation failed: ${String(error)}`)),
        );
        return {};
      },
    });
    module = await timeout(Promise.race([started, instantiateFailed]), 60_000, 'loading the threaded wasm module and its workers');
  } catch (error) {
    restoreProcessListeners(before);
    return { failure: `the threaded wasm module did not start (${(error as Error).message})` };
  }
  restoreProcessListeners(before);
  const pthread = (module as Partial<ThreadedWasmModule>).PThread;
  const fail = (why: string): ThreadedModuleResult => {
    pthread?.terminateAllThreads?.();
    return { failure: `tfjs-backend-wasm internals differ (${why})` };
  };
  if (!importReplaced) return fail('no emscripten_num_logical_cores import to size the pool');
  if (pthread === undefined || !Array.isArray(pthread.unusedWorkers) || !Array.isArray(pthread.runningWorkers)) return fail('no PThread worker pool');
  if (typeof module.cwrap !== 'function' || !(module.wasmMemory?.buffer instanceof SharedArrayBuffer)) return fail('no cwrap or shared memory');
  if (module._init_with_threads_count === undefined || module._get_threads_count === undefined) return fail('no init_with_threads_count export');
  module.tfjs = {
    init: module.cwrap('init', null, []) as () => void,
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']) as (n: number) => void,
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']) as ThreadedWasmModule['tfjs']['registerTensor'],
    disposeData: module.cwrap('dispose_data', null, ['number']) as (id: number) => void,
    dispose: module.cwrap('dispose', null, []) as () => void,
  };
  keepHeapViewsCurrent(module);
  return { module };
}

/**
 * Lets the process exit while XNNPACK's pool threads wait for work: the glue
 * `ref()`s a worker when it starts a pthread, and pool threads never end.
 */
export function unrefPoolWorkers(module: ThreadedWasmModule): void {
  for (const worker of module.PThread.runningWorkers) worker.unref();
  for (const worker of module.PThread.unusedWorkers) worker.unref();
}
